package io.ratehub.examples;

import io.ratehub.core.AuditException;
import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.durable.FileEngineStore;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.Authenticator;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.JwtAuthenticator;
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

/**
 * {@code ratehub hub}: a standalone hub with a simulated market, demo stores and printed credentials. Its engine runs
 * on a {@link FileEngineStore} in {@code --data-dir}, so spreads, overrides, alert rules and locks survive a restart;
 * the demo spreads are set only on a fresh data directory.
 */
@Command(name = "hub", mixinStandardHelpOptions = true,
        description = {"Run a demo hub: a simulated market of 3 sources, demo stores, its state kept on disk.",
                "The data directory's audit trail (audit.jsonl) is read back on start: spreads, overrides, alert"
                        + " rules and locks survive a restart; market rates do not (a pair is not live until fresh"
                        + " quotes arrive). The demo spreads are set only when the data directory holds no audit"
                        + " entry yet, so a spread changed or removed in an earlier run stays as it was left.",
                "A broken audit trail refuses the start (exit status 1) with an error naming the file and the entry."})
final class HubCommand implements Callable<Integer> {
    static final List<String> STORES = List.of("downtown", "airport", "mall");

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "bind address (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", defaultValue = "data", description = "where the state (the audit trail) is kept and read back on start (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--batch-ms", defaultValue = "0", description = "batching window per connection in ms (default: ${DEFAULT-VALUE})")
    int batchMillis;

    @Option(names = "--tick-ms", defaultValue = "250", description = "market tick interval in ms (default: ${DEFAULT-VALUE})")
    int tickMillis;

    @Option(names = "--seconds", defaultValue = "0", description = "stop after this many seconds; 0 runs until Ctrl-C")
    int seconds;

    @Option(names = "--accept-broken-chain-at", paramLabel = "SEQ", description = "start although the audit log's "
            + "chain is broken at this entry (the one the refusal named, once you have investigated it): the break is "
            + "recorded in the log and later starts need no flag")
    Long acceptBrokenChainAt;

    /** A demo hub that {@link #start()} left running; {@link #close()} stops it as Ctrl-C does. */
    static final class Running implements AutoCloseable {
        final RateHubServer server;
        final Map<String, String> apiKeys;
        final String jwtSecret;
        final String token;
        private final Runnable stop;
        private final java.util.function.LongSupplier ticks;

        private Running(RateHubServer server, Map<String, String> apiKeys, String jwtSecret, String token,
                        Runnable stop, java.util.function.LongSupplier ticks) {
            this.ticks = ticks;
            this.server = server;
            this.apiKeys = apiKeys;
            this.jwtSecret = jwtSecret;
            this.token = token;
            this.stop = stop;
        }

        @Override
        public void close() {
            stop.run();
        }
    }

    @Override
    public Integer call() throws Exception {
        Running running;
        try {
            running = start();
        } catch (AuditException e) { // a broken or locked log: the message names the file and the entry
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "ratehub-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (seconds > 0) {
            stopped.await(seconds, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(hook);
            hook.run();
            System.out.println("stopped after " + seconds + " s; " + running.ticks.getAsLong()
                    + " market ticks; audit entries "
                    + FileAuditLog.verify(dataDir.resolve(FileEngineStore.AUDIT_FILE)).entriesChecked() + ", chain verified");
        } else {
            stopped.await();
        }
        return 0;
    }

    /**
     * Starts the hub on the state recovered from {@code dataDir} and prints its URLs and credentials.
     *
     * @throws AuditException when the data directory's log is broken, unreadable or open in another process
     */
    Running start() throws Exception {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--port must be between 0 and 65535, was " + port);
        }
        if (tickMillis < 10 || batchMillis < 0 || seconds < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--tick-ms must be >= 10, --batch-ms and --seconds >= 0");
        }
        Files.createDirectories(dataDir);
        FileEngineStore engineStore = FileEngineStore.open(dataDir);
        // Fresh: nothing was ever decided here. Only then are the demo spreads set, so that a spread an owner changed
        // or removed in an earlier run is not put back on the next start.
        boolean fresh = engineStore.auditLog().lastSeq() == 0;
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "demo-market");
            t.setDaemon(true);
            return t;
        });
        RateEngine engine;
        try {
            RateEngine.Builder eb = RateEngine.builder().store(engineStore).scheduler(scheduler)
                    .maxSourceAge(Duration.ofSeconds(5));
            if (acceptBrokenChainAt != null) {
                eb.acceptBrokenChainAt(acceptBrokenChainAt);
            }
            engine = eb.build();
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            engineStore.close();
            throw e;
        }
        Map<String, Principal> principals = new LinkedHashMap<>();
        principals.put("admin", Principal.admin("admin"));
        for (String store : STORES) { // one manager per store: store A's manager is refused on store B
            principals.put("manager-" + store, Principal.manager("manager-" + store, store));
        }
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
        // JWT: an HS256 secret for this run (64 hex digits, used as its UTF-8 bytes, as JWT tools take it) and a
        // ready token signed with it; token subjects become principals jwt:<sub>.
        byte[] secretRaw = new byte[32];
        random.nextBytes(secretRaw);
        String jwtSecret = HexFormat.of().formatHex(secretRaw);
        byte[] secretBytes = jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String token = demoToken(secretBytes, "demo", "manager", List.of("downtown"), Duration.ofHours(12));
        SimulatedMarket market = new SimulatedMarket(engine, scheduler, Duration.ofMillis(tickMillis), 1L);
        RateHubServer server;
        try {
            int[] margins = {50, 150, 80};
            for (int i = 0; fresh && i < STORES.size(); i++) {
                for (CurrencyPair pair : market.pairs()) {
                    if (engine.spread(STORES.get(i), pair).isEmpty()) {
                        engine.setSpread(STORES.get(i), pair, SpreadRule.bps(String.valueOf(margins[i]),
                                String.valueOf(margins[i])), "demo");
                    }
                }
            }
            server = RateHubServer.builder().host(host).port(port).engine(engine)
                    .authenticator(Authenticator.firstOf(keys.build(),
                            JwtAuthenticator.builder().hmacSecret(secretBytes).build()))
                    .sessionSettings(SessionSettings.builder().batchWindow(Duration.ofMillis(batchMillis)).build())
                    .closeOnStop(market).closeOnStop(engineStore)
                    .start();
        } catch (Exception | Error e) { // the server did not start: nothing else closes what was opened
            market.close();
            scheduler.shutdownNow();
            engineStore.close();
            throw e;
        }
        Runnable stop = () -> {
            server.stop(Duration.ofSeconds(5));
            scheduler.shutdownNow();
        };

        System.out.println("ratehub demo hub");
        System.out.println("  WebSocket  " + server.webSocketUri());
        System.out.println("  HTTP API   " + server.httpUri() + "/api/market   (X-Api-Key or Authorization: Bearer header)");
        System.out.println("  health     " + server.httpUri() + "/health/ready");
        System.out.println("  rate board " + server.boardUri("downtown", printed.get("viewer")) + "   (open in a browser)");
        System.out.println("  audit      " + engineStore.auditLog().file());
        long spreads = 0;
        long overrides = 0;
        for (String store : STORES) {
            for (CurrencyPair pair : market.pairs()) {
                spreads += engine.spread(store, pair).isPresent() ? 1 : 0;
                overrides += engine.override(store, pair).isPresent() ? 1 : 0;
            }
        }
        System.out.println("  state      " + (fresh ? "new data directory: demo spreads set"
                : "restored from " + dataDir.toAbsolutePath() + ", demo spreads not set again") + "; in force: spreads "
                + spreads + ", overrides " + overrides);
        System.out.println("  stores     " + String.join(", ", STORES) + "; pairs " + market.pairs());
        System.out.println("  API keys (this run only; each manager and terminal is refused on the other stores):");
        printed.forEach((who, key) -> System.out.printf("    %-18s %s%n", who, key));
        System.out.println("  JWT (HS256, this run only; a token's sub becomes the principal jwt:<sub>):");
        System.out.println("    secret             " + jwtSecret);
        System.out.println("    token              " + token);
        System.out.println("                       (sub demo, role manager, stores [downtown], valid 12 h)");
        System.out.println("    curl -H 'Authorization: Bearer " + token + "' " + server.httpUri()
                + "/api/stores/downtown/rates");
        String run = "  mvn -q -pl examples -am -Dmaven.test.skip=true package exec:java -Dexec.args=\"";
        System.out.println("  try, in another terminal:");
        System.out.println("  " + run + "calculator --uri " + server.webSocketUri() + " --store downtown --api-key "
                + printed.get("terminal-downtown") + "\"");
        System.out.println("  " + run + "dashboard --uri " + server.webSocketUri() + " --store downtown --api-key "
                + printed.get("manager-downtown") + "\"");
        System.out.println("  " + run + "tail --uri " + server.webSocketUri() + " --api-key "
                + printed.get("terminal-downtown") + " store:downtown:rates\"");
        System.out.flush();
        return new Running(server, Map.copyOf(printed), jwtSecret, token, stop, market::ticks);
    }

    /** An HS256 token with the claims {@link JwtAuthenticator} reads. */
    static String demoToken(byte[] secret, String sub, String role, List<String> stores, Duration validFor)
            throws com.nimbusds.jose.JOSEException {
        java.time.Instant now = java.time.Instant.now();
        com.nimbusds.jwt.JWTClaimsSet claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(sub)
                .claim("role", role).claim("stores", stores).issueTime(java.util.Date.from(now))
                .expirationTime(java.util.Date.from(now.plus(validFor))).build();
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256), claims);
        jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret));
        return jwt.serialize();
    }
}
