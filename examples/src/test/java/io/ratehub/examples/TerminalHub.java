package io.ratehub.examples;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.time.Duration;

/** The hub the terminal commands' tests type at: store downtown, a terminal key and a manager key, fast timers. */
final class TerminalHub {
    static final String TERMINAL_KEY = "calc-terminal-key-0123456789";
    static final String MANAGER_KEY = "calc-manager-key-0123456789";

    private TerminalHub() {
    }

    static RateHubServer start(RateEngine engine) {
        return RateHubServer.builder().port(0).engine(engine).timerInterval(Duration.ofMillis(20))
                .authenticator(ApiKeyAuthenticator.builder()
                        .key(TERMINAL_KEY, Principal.terminal("till-1", "downtown"))
                        .key(MANAGER_KEY, Principal.manager("owner", "downtown")).build())
                .start();
    }
}
