package io.ratehub.examples.load;

import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.hub.SessionSettings;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.ConnectionLimits;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The benchmark's ratehub target, run as a child process by {@code ratehub bench}: a standalone {@link RateHubServer}
 * (authentication, authorization, channels, recovery, per-connection queues: everything a deployment runs) over an
 * engine with {@code --stores} stores that each price {@code --pairs} pairs with a spread, with conflation off (every
 * update is sent, as the peers send every update). A market thread feeds one source's quotes round-robin over the
 * pairs at the rate the parent sets; each quote re-prices the pair in every store, so one tick is one update on each
 * store's {@code store:<id>:rates} channel. The event's {@code time} is the
 * engine's clock when the tick entered the hub, which the load tool subtracts from its receive time.
 *
 * <p>Arguments: {@code --port 0 --stores 10 --pairs 20 --batch-ms 0 --key <api key>}. Control lines: see
 * {@link TargetProcess}. No audit log: the benchmark measures fan-out (the audit figures are in the JMH benchmark).
 */
public final class RatehubTarget {
    /** The pairs, in the order the peers use too. */
    public static final List<String> PAIRS = List.of("USD/CAD", "EUR/CAD", "GBP/CAD", "CAD/JPY", "AUD/CAD", "CHF/CAD",
            "CAD/MXN", "NZD/CAD", "CAD/SEK", "CAD/NOK", "CAD/DKK", "CAD/HKD", "CAD/SGD", "CAD/CNY", "CAD/INR",
            "CAD/KRW", "CAD/BRL", "CAD/ZAR", "CAD/PLN", "CAD/TRY");

    private RatehubTarget() {
    }

    /** Runs the target; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        int port = intArg(args, "--port", 0);
        int stores = intArg(args, "--stores", 10);
        int pairCount = intArg(args, "--pairs", 20);
        int batchMillis = intArg(args, "--batch-ms", 0);
        String key = stringArg(args, "--key", "bench-key-0123456789");

        RateEngine engine = RateEngine.builder().maxSourceAge(Duration.ofHours(1)).build();
        List<CurrencyPair> pairs = PAIRS.subList(0, pairCount).stream().map(CurrencyPair::parse).toList();
        String[] storeIds = new String[stores];
        for (int s = 0; s < stores; s++) {
            storeIds[s] = "s" + s;
            for (CurrencyPair p : pairs) {
                engine.setSpread(storeIds[s], p, SpreadRule.bps("50", "50"), "bench");
            }
        }
        BigDecimal[] mids = new BigDecimal[pairs.size()];
        BigDecimal halfSpread = new BigDecimal("0.00010");
        for (int i = 0; i < mids.length; i++) {
            mids[i] = new BigDecimal("1.30000");
            engine.onQuote(new MarketQuote(pairs.get(i), mids[i].subtract(halfSpread), mids[i].add(halfSpread),
                    "bench", Instant.now()));
        }
        RateHubServer server = RateHubServer.builder().host("127.0.0.1").port(port).engine(engine)
                .authenticator(ApiKeyAuthenticator.builder().key(key, Principal.viewer("bench", storeIds)).build())
                .limits(ConnectionLimits.unlimited())
                // Every update is sent (no conflation of a backed-up queue or a batching window), as the peers do:
                // the load tool counts each one, and a skipped superseded rate would count as lost.
                .sessionSettings(SessionSettings.builder().batchWindow(Duration.ofMillis(batchMillis))
                        .conflation(false).build())
                .rateBoard(false)
                .start();
        // Each tick moves its pair's mid by 0.01 up, then back down: enough to change every store's buy and sell
        // even at 3 decimals, so every tick is an update on every store's channel (the engine publishes changes only).
        int[] next = {0};
        long[] moves = new long[mids.length];
        BigDecimal step = new BigDecimal("0.01000");
        TargetProcess.Ticker ticker = new TargetProcess.Ticker("bench-market", () -> {
            int i = next[0];
            next[0] = (i + 1) % mids.length;
            BigDecimal mid = (moves[i]++ % 2 == 0 ? mids[i].add(step) : mids[i].subtract(step));
            mids[i] = mid;
            engine.onQuote(new MarketQuote(pairs.get(i), mid.subtract(halfSpread), mid.add(halfSpread), "bench",
                    Instant.now()));
        });
        ticker.start();
        try {
            TargetProcess.serve(server.port(), server.webSocketUri().getPath(), ticker::rate,
                    () -> ticker.ticks() + " " + ticker.ticks() * stores);
        } finally {
            ticker.shutdown();
            server.stop(Duration.ofSeconds(1));
        }
        System.exit(0);
    }

    static int intArg(String[] args, String name, int fallback) {
        String v = stringArg(args, name, null);
        return v == null ? fallback : Integer.parseInt(v);
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
