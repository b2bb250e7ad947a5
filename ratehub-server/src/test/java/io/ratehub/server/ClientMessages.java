package io.ratehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

/** What a message shown to a client must not hold: the server's class names, exception texts or stack frames. */
final class ClientMessages {
    /** Java package prefixes, JDK exception wording, and simple names ending in Exception or Error. */
    static final Pattern INTERNALS = Pattern.compile("\\b(io\\.ratehub|java|javax|jakarta|com\\.fasterxml"
            + "|com\\.nimbusds|org\\.glassfish|org\\.slf4j)\\.[a-z]|No enum constant|\\b\\w+(Exception|Error)\\b"
            + "|\\bat [\\w.$]+\\(|`[\\w.$]+`");

    private ClientMessages() {
    }

    /** Fails when {@code message} shows any of {@link #INTERNALS}. */
    static void assertNoInternals(String what, String message) {
        assertThat(message).as("%s: the message shown to the client", what).doesNotContainPattern(INTERNALS);
    }
}
