package io.ratehub.examples;

import io.ratehub.client.ChannelListener;
import io.ratehub.client.ConnectionState;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyCatalog;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.StoreRate;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ratehub calculator}: a store's counter calculator. A live buy/sell table (redrawn in place on a terminal,
 * or one line per change with {@code --plain}), amount conversion, and rate locks. A rate that is not live (the
 * link is down, the market is stale, an override ended) is shown as NOT LIVE and never quoted.
 */
@Command(name = "calculator", mixinStandardHelpOptions = true,
        description = "A store's counter calculator: live buy/sell rates, conversion, lock and complete a rate.")
final class CalculatorCommand extends TerminalSession implements Callable<Integer> {
    private static final String[] HELP = {
        "commands:",
        "  rates                                  the store's rates now",
        "  convert <amount> <FROM> <TO>           e.g. convert 100 USD CAD (at the store's live rate)",
        "  lock <PAIR> <buy|sell> <amount> [min]  lock the live rate, e.g. lock USD/CAD sell 1000 (store sells USD)",
        "  complete <lockId> <transactionRef>     complete a lock",
        "  cancel <lockId> [reason]               cancel a lock",
        "  quit",
    };

    @Option(names = "--plain", description = "no in-place table: print each change as a line (scripts, logs)")
    boolean plain;

    @Option(names = "--refresh-ms", defaultValue = "250", description = "table refresh interval (default: ${DEFAULT-VALUE})")
    int refreshMillis;

    private final CurrencyCatalog catalog = CurrencyCatalog.standard();
    private final Map<CurrencyPair, String> lastShown = new HashMap<>();
    private final Map<CurrencyPair, StoreRate> previous = new HashMap<>();
    private final Map<CurrencyPair, Integer> direction = new HashMap<>();
    private RateHubClient client;
    private volatile boolean dirty = true;
    private int tableRows;

    @Override
    public Integer call() throws Exception {
        if (refreshMillis < 20) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--refresh-ms must be >= 20");
        }
        boolean screen = !plain && System.console() != null;
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "calculator-refresh");
            t.setDaemon(true);
            return t;
        });
        try (RateHubClient c = newClient()) {
            this.client = c;
            c.onStateChange(s -> {
                dirty = true;
                if (!screen) {
                    print("[" + now() + "] connection: " + describe(s));
                }
            });
            c.subscribeStoreRates(store, new ChannelListener<>() {
                @Override
                public void onUpdate(RateEvent e) {
                    dirty = true;
                }
            });
            c.connect();
            print("calculator for store " + store + " at " + uri + " (type help)");
            refresher.scheduleWithFixedDelay(() -> refresh(screen), 0, refreshMillis, TimeUnit.MILLISECONDS);
            commandLoop();
            return refusedForGood(c) ? 1 : 0;
        } finally {
            refresher.shutdownNow();
            if (screen) {
                withOutput(o -> o.print("\u001b[r")); // give the terminal its whole screen back
            }
        }
    }

    @Override
    String[] help() {
        return HELP;
    }

    // ---------------------------------------------------------------- the table

    private void refresh(boolean screen) {
        try {
            List<LiveRate> rates = client.rates(store);
            if (screen) {
                boolean changed = dirty;
                for (LiveRate r : rates) {
                    changed |= !line(r).equals(lastShown.get(r.rate().pair()));
                }
                if (changed) {
                    dirty = false;
                    redraw(rates);
                }
            } else {
                printChanges(rates);
            }
        } catch (RuntimeException e) {
            print("error: refresh failed: " + e);
        }
    }

    /** Plain mode: one line for each rate whose value or liveness changed since it was last printed. */
    private void printChanges(List<LiveRate> rates) {
        List<String> lines = new ArrayList<>();
        for (LiveRate r : rates) {
            String l = line(r);
            if (!l.equals(lastShown.put(r.rate().pair(), l))) {
                lines.add(l);
            }
        }
        if (!lines.isEmpty()) {
            print(lines.toArray(String[]::new));
        }
    }

    /** Terminal mode: the table at the top of the screen, redrawn in place; commands scroll below it. */
    private void redraw(List<LiveRate> rates) {
        int rows = Math.max(rates.size(), 3) + 3;
        ConnectionState state = client.state();
        withOutput(o -> {
            if (rows != tableRows) {
                tableRows = rows;
                o.print("\u001b[2J\u001b[" + (rows + 1) + "r\u001b[" + (rows + 1) + ";1H");
            }
            o.print("\u001b7\u001b[1;1H");
            String head = "Store " + store + "   " + now() + "   " + describe(state);
            line(o, head.length() > 100 ? head.substring(0, 99) + "~" : head);
            line(o, String.format(Locale.ROOT, "%-9s %14s %14s  %-8s %-8s %s", "PAIR", "WE BUY", "WE SELL",
                    "BASIS", "AS OF", "STATE"));
            for (LiveRate r : rates) {
                line(o, line(r));
                lastShown.put(r.rate().pair(), line(r));
            }
            for (int i = rates.size(); i < rows - 3; i++) {
                line(o, rates.isEmpty() && i == 0 ? "(no rates yet)" : "");
            }
            line(o, "-".repeat(72));
            o.print("\u001b8");
        });
    }

    private static void line(PrintStream o, String text) {
        o.print(text + "\u001b[K\r\n");
    }

    private synchronized String line(LiveRate r) {
        StoreRate s = r.rate();
        StoreRate before = previous.put(s.pair(), s);
        if (before != null && before.buy().compareTo(s.buy()) != 0) {
            direction.put(s.pair(), s.buy().compareTo(before.buy()));
        }
        int dir = direction.getOrDefault(s.pair(), 0);
        String arrow = dir > 0 ? "\u25b2" : dir < 0 ? "\u25bc" : " ";
        String state = r.live() ? "live" : "NOT LIVE: " + r.notLiveBecause();
        return String.format(Locale.ROOT, "%-9s %14s %14s %s %-8s %-8s %s", s.pair(), s.buy().toPlainString(),
                s.sell().toPlainString(), arrow, s.basis(), s.asOf().atZone(ZoneId.systemDefault()).format(CLOCK),
                state);
    }

    // ---------------------------------------------------------------- commands

    @Override
    boolean execute(String verb, List<String> args) {
        switch (verb) {
            case "rates" -> printRates(client, this::line);
            case "convert" -> convert(args);
            case "lock" -> lock(args);
            case "complete" -> {
                arity(args, 2, 2, "complete <lockId> <transactionRef>");
                print("completed " + describeLock(await(client.completeLock(args.get(0), args.get(1)))));
            }
            case "cancel" -> {
                arity(args, 1, Integer.MAX_VALUE, "cancel <lockId> [reason]");
                print("cancelled " + describeLock(await(client.cancelLock(args.get(0), rest(args, 1, "cancelled at the counter")))));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The live rate of a pair, or a refusal naming why it may not be quoted. */
    private StoreRate quotable(CurrencyPair pair) {
        Optional<LiveRate> r = client.rate(store, pair);
        if (r.isEmpty()) {
            throw new IllegalArgumentException("no rate for " + pair + " at store " + store);
        }
        if (!r.get().live()) {
            throw new IllegalArgumentException(pair + " is NOT LIVE (" + r.get().notLiveBecause() + "): no quote");
        }
        return r.get().rate();
    }

    private void convert(List<String> args) {
        List<String> a = args.size() == 4 && args.get(2).equalsIgnoreCase("to") ? List.of(args.get(0), args.get(1),
                args.get(3)) : args;
        arity(a, 3, 3, "convert <amount> <FROM> <TO>");
        BigDecimal amount = decimal("amount", a.get(0));
        String from = a.get(1).toUpperCase(Locale.ROOT);
        String to = a.get(2).toUpperCase(Locale.ROOT);
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("amount must be > 0, was " + a.get(0));
        }
        int fromScale = catalog.amountScaleOf(from);
        int toScale = catalog.amountScaleOf(to);
        if (amount.stripTrailingZeros().scale() > fromScale) {
            throw new IllegalArgumentException("amount: " + from + " has " + fromScale + " decimals, was " + a.get(0));
        }
        Optional<LiveRate> direct = client.rate(store, new CurrencyPair(from, to));
        if (direct.isPresent()) {
            // the customer hands over the base currency: the store buys it at its buy rate
            StoreRate r = quotable(direct.get().rate().pair());
            BigDecimal result = amount.multiply(r.buy()).setScale(toScale, RoundingMode.FLOOR);
            print(amount.setScale(fromScale, RoundingMode.UNNECESSARY).toPlainString() + " " + from + " -> "
                    + result.toPlainString() + " " + to + "   at " + r.buy().toPlainString() + " (we buy " + from + ")");
            return;
        }
        Optional<LiveRate> inverse = client.rate(store, new CurrencyPair(to, from));
        if (inverse.isPresent()) {
            // the customer buys the base currency with the quote currency: the store sells it at its sell rate
            StoreRate r = quotable(inverse.get().rate().pair());
            BigDecimal result = amount.divide(r.sell(), toScale, RoundingMode.FLOOR);
            print(amount.setScale(fromScale, RoundingMode.UNNECESSARY).toPlainString() + " " + from + " -> "
                    + result.toPlainString() + " " + to + "   at " + r.sell().toPlainString() + " (we sell " + to + ")");
            return;
        }
        throw new IllegalArgumentException("store " + store + " has no rate between " + from + " and " + to);
    }

    private void lock(List<String> args) {
        arity(args, 3, 4, "lock <PAIR> <buy|sell> <amount> [minutes]");
        CurrencyPair pair = pair(args.get(0));
        Side side = switch (args.get(1).toLowerCase(Locale.ROOT)) {
            case "buy" -> Side.BUY;
            case "sell" -> Side.SELL;
            default -> throw new IllegalArgumentException("side must be buy or sell, was " + args.get(1));
        };
        BigDecimal amount = decimal("amount", args.get(2));
        Duration ttl = args.size() == 4 ? minutes("minutes", args.get(3)) : null;
        quotable(pair); // never lock what the screen cannot show as live
        RateLock lock = await(client.lock(store, pair, side, amount, ttl, "calc-" + UUID.randomUUID()));
        print("locked " + describeLock(lock));
    }

    private static String describeLock(RateLock l) {
        return l.lockId() + ": " + l.side() + " " + l.amount().toPlainString() + " " + l.pair().base() + " at "
                + l.rate().toPlainString() + " = " + l.counterAmount().toPlainString() + " " + l.pair().quote() + ", "
                + l.status() + (l.status().name().equals("ACTIVE")
                ? " until " + l.expiresAt().atZone(ZoneId.systemDefault()).format(CLOCK) : "");
    }
}
