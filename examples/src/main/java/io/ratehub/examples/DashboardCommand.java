package io.ratehub.examples;

import io.ratehub.client.ChannelListener;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.codec.JsonCodec;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ratehub dashboard}: the owner's console for one store. Sets spreads, overrides and alert thresholds, and
 * prints every alert of the store and the market as it arrives.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Set a store's spreads, overrides and alert thresholds; follow its alerts and the market's.")
final class DashboardCommand extends TerminalSession implements Callable<Integer> {
    private static final String[] HELP = {
        "commands:",
        "  rates                                         the store's rates now",
        "  spread <PAIR> <buyBps> <sellBps>              margins in basis points of the mid",
        "  spread <PAIR> abs <buyMargin> <sellMargin>    margins in units of the quote currency",
        "  override <PAIR> <buy> <sell> [minutes] [reason...]   set the rate by hand",
        "  clear <PAIR> [reason...]                      end an override",
        "  threshold <PAIR> move <percent> <minutes>     alert when the market moves this much within the window",
        "  threshold <PAIR> divergence <percent>         alert when an override is this far from the market",
        "  quit",
    };

    @Option(names = "--follow", description = "keep following alerts after the end of input (until Ctrl-C)")
    boolean follow;

    private final JsonCodec codec = JsonCodec.create();
    private RateHubClient client;

    @Override
    public Integer call() throws Exception {
        try (RateHubClient c = newClient()) {
            this.client = c;
            c.onStateChange(s -> print("[" + now() + "] connection: " + describe(s)));
            ChannelListener<RateEvent> alerts = new ChannelListener<>() {
                @Override
                public void onUpdate(RateEvent e) {
                    print("[" + now() + "] ALERT " + e.type() + " " + codec.encodeEvent(e));
                }

                @Override
                public void onGap(String channel, long from, long to) {
                    print("[" + now() + "] alerts " + from + ".." + to + " on " + channel + " were missed");
                }
            };
            c.subscribeStoreRates(store, e -> { }); // keeps the client's rate cache for `rates`
            c.subscribeStoreAlerts(store, alerts);
            c.subscribeMarketAlerts(alerts);
            c.connect();
            print("dashboard for store " + store + " at " + uri + " (type help)");
            commandLoop();
            if (follow && !refusedForGood(c)) {
                new CountDownLatch(1).await();
            }
            return refusedForGood(c) ? 1 : 0;
        }
    }

    @Override
    String[] help() {
        return HELP;
    }

    @Override
    boolean execute(String verb, List<String> args) {
        switch (verb) {
            case "rates" -> printRates(client, DashboardCommand::describeRate);
            case "spread" -> spread(args);
            case "override" -> override(args);
            case "clear" -> {
                arity(args, 1, Integer.MAX_VALUE, "clear <PAIR> [reason...]");
                boolean cleared = await(client.clearOverride(store, pair(args.get(0)), rest(args, 1, "cleared")));
                print(cleared ? "override on " + pair(args.get(0)) + " cleared" : "no override on " + args.get(0));
            }
            case "threshold" -> threshold(args);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void spread(List<String> args) {
        SpreadRule rule;
        if (args.size() == 4 && args.get(1).equalsIgnoreCase("abs")) {
            rule = SpreadRule.absolute(decimal("buyMargin", args.get(2)).toPlainString(),
                    decimal("sellMargin", args.get(3)).toPlainString());
        } else {
            arity(args, 3, 3, "spread <PAIR> <buyBps> <sellBps>  |  spread <PAIR> abs <buyMargin> <sellMargin>");
            rule = SpreadRule.bps(decimal("buyBps", args.get(1)).toPlainString(),
                    decimal("sellBps", args.get(2)).toPlainString());
        }
        CurrencyPair pair = pair(args.get(0));
        StoreRate rate = await(client.setSpread(store, pair, rule));
        print("spread on " + pair + " set" + (rate == null ? " (no market rate yet)" : ": " + describeRate(rate)));
    }

    private void override(List<String> args) {
        arity(args, 3, Integer.MAX_VALUE, "override <PAIR> <buy> <sell> [minutes] [reason...]");
        CurrencyPair pair = pair(args.get(0));
        BigDecimal buy = decimal("buy", args.get(1));
        BigDecimal sell = decimal("sell", args.get(2));
        Instant until = null;
        int reasonFrom = 3;
        if (args.size() > 3 && args.get(3).chars().allMatch(Character::isDigit)) {
            until = Instant.now().plus(minutes("minutes", args.get(3)));
            reasonFrom = 4;
        }
        RateOverride o = await(client.setOverride(store, pair, buy, sell, rest(args, reasonFrom, "set at the dashboard"),
                until, false));
        print("override on " + pair + ": buy " + o.buy().toPlainString() + " sell " + o.sell().toPlainString()
                + " until " + o.validUntil().atZone(ZoneId.systemDefault()).format(CLOCK));
    }

    private void threshold(List<String> args) {
        arity(args, 3, 4, "threshold <PAIR> move <percent> <minutes>  |  threshold <PAIR> divergence <percent>");
        CurrencyPair pair = pair(args.get(0));
        BigDecimal percent = decimal("percent", args.get(2));
        ThresholdRule rule = switch (args.get(1).toLowerCase(Locale.ROOT)) {
            case "move" -> {
                arity(args, 4, 4, "threshold <PAIR> move <percent> <minutes>");
                yield ThresholdRule.marketMove(store, pair, percent, minutes("minutes", args.get(3)));
            }
            case "divergence" -> {
                arity(args, 3, 3, "threshold <PAIR> divergence <percent>");
                yield ThresholdRule.overrideDivergence(store, pair, percent);
            }
            default -> throw new IllegalArgumentException("kind must be move or divergence, was " + args.get(1));
        };
        ThresholdRule set = await(client.setThreshold(rule));
        print("threshold on " + pair + ": " + set.kind() + " " + set.percent().toPlainString() + "% (clears at "
                + set.clearPercent().toPlainString() + "%)");
    }

    private static String describeRate(LiveRate r) {
        return describeRate(r.rate()) + (r.live() ? "  live" : "  NOT LIVE: " + r.notLiveBecause());
    }

    private static String describeRate(StoreRate s) {
        return String.format(Locale.ROOT, "%-9s buy %s  sell %s  %s", s.pair(), s.buy().toPlainString(),
                s.sell().toPlainString(), s.basis());
    }
}
