package io.ratehub.examples;

import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ratehub hub}: a standalone hub with a simulated market, demo stores and printed credentials. */
@Command(name = "hub", mixinStandardHelpOptions = true,
        description = "Run a demo hub: a simulated market of 3 sources, demo stores, an audit trail on disk.")
final class HubCommand implements Callable<Integer> {
    static final List<String> STORES = List.of("downtown", "airport", "mall");

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", defaultValue = "data", description = "where the audit trail is kept (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--batch-ms", defaultValue = "0", description = "batching window per connection in ms (default: ${DEFAULT-VALUE})")
    int batchMillis;

    @Option(names = "--tick-ms", defaultValue = "250", description = "market tick interval in ms (default: ${DEFAULT-VALUE})")
    int tickMillis;

    @Option(names = "--seconds", defaultValue = "0", description = "stop after this many seconds; 0 runs until Ctrl-C")
    int seconds;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--port must be between 0 and 65535, was " + port);
        }
        if (tickMillis < 10 || batchMillis < 0 || seconds < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--tick-ms must be >= 10, --batch-ms and --seconds >= 0");
        }
        Files.createDirectories(dataDir);
        FileAuditLog audit = FileAuditLog.open(dataDir.resolve("audit.jsonl"));
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "demo-market");
            t.setDaemon(true);
            return t;
        });
        RateEngine engine = RateEngine.builder().auditLog(audit).scheduler(scheduler)
                .maxSourceAge(Duration.ofSeconds(5)).build();
        Map<String, Principal> principals = new LinkedHashMap<>();
        principals.put("admin", Principal.admin("admin"));
        principals.put("manager", Principal.manager("manager", STORES.toArray(String[]::new)));
        for (String store : STORES) {
            principals.put("terminal-" + store, Principal.terminal("terminal-" + store, store));
        }
        principals.put("viewer", Principal.viewer("viewer", STORES.toArray(String[]::new)));
        ApiKeyAuthenticator.Builder keys = ApiKeyAuthenticator.builder();
        Map<String, String> printed = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (Map.Entry<String, Principal> e : principals.entrySet()) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            String key = "rk_" + HexFormat.of().formatHex(raw);
            keys.key(key, e.getValue());
            printed.put(e.getKey(), key);
        }
        SimulatedMarket market = new SimulatedMarket(engine, scheduler, Duration.ofMillis(tickMillis), 1L);
        int[] margins = {50, 150, 80};
        for (int i = 0; i < STORES.size(); i++) {
            for (CurrencyPair pair : market.pairs()) {
                if (engine.storeRate(STORES.get(i), pair).isEmpty()) {
                    engine.setSpread(STORES.get(i), pair, SpreadRule.bps(String.valueOf(margins[i]),
                            String.valueOf(margins[i])), "demo");
                }
            }
        }
        RateHubServer server = RateHubServer.builder().host(host).port(port).engine(engine)
                .authenticator(keys.build())
                .sessionSettings(SessionSettings.builder().batchWindow(Duration.ofMillis(batchMillis)).build())
                .closeOnStop(market).closeOnStop(audit)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.stop(Duration.ofSeconds(5));
            scheduler.shutdownNow();
            stopped.countDown();
        }, "ratehub-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        System.out.println("ratehub demo hub");
        System.out.println("  WebSocket  " + server.webSocketUri());
        System.out.println("  HTTP API   " + server.httpUri() + "/api/market   (X-Api-Key header)");
        System.out.println("  health     " + server.httpUri() + "/health/ready");
        System.out.println("  rate board " + server.boardUri("downtown", printed.get("viewer")) + "   (open in a browser)");
        System.out.println("  audit      " + dataDir.resolve("audit.jsonl").toAbsolutePath());
        System.out.println("  stores     " + String.join(", ", STORES) + "; pairs " + market.pairs());
        System.out.println("  API keys (this run only):");
        printed.forEach((who, key) -> System.out.printf("    %-18s %s%n", who, key));
        String run = "  mvn -q -pl examples -am -Dmaven.test.skip=true package exec:java -Dexec.args=\"";
        System.out.println("  try, in another terminal:");
        System.out.println("  " + run + "calculator --uri " + server.webSocketUri() + " --store downtown --api-key "
                + printed.get("terminal-downtown") + "\"");
        System.out.println("  " + run + "dashboard --uri " + server.webSocketUri() + " --store downtown --api-key "
                + printed.get("manager") + "\"");
        System.out.println("  " + run + "tail --uri " + server.webSocketUri() + " --api-key "
                + printed.get("terminal-downtown") + " store:downtown:rates\"");
        System.out.flush();
        if (seconds > 0) {
            stopped.await(seconds, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(hook);
            hook.run();
            System.out.println("stopped after " + seconds + " s; " + market.ticks() + " market ticks; audit entries "
                    + FileAuditLog.verify(dataDir.resolve("audit.jsonl")).entriesChecked() + ", chain verified");
        } else {
            stopped.await();
        }
        return 0;
    }
}
