package io.ratehub.core.hub;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;

/**
 * The channel names of ratehub and their kinds. Names are fixed by the wire protocol:
 *
 * <table>
 *   <caption>Channels</caption>
 *   <tr><th>name</th><th>kind</th><th>key</th><th>what</th></tr>
 *   <tr><td>{@code market}</td><td>STATE</td><td>pair</td><td>aggregated market rates</td></tr>
 *   <tr><td>{@code market:alerts}</td><td>EVENT</td><td></td><td>sources and pairs going stale, outliers</td></tr>
 *   <tr><td>{@code store:<id>:rates}</td><td>STATE</td><td>pair</td><td>a store's buy/sell rates</td></tr>
 *   <tr><td>{@code store:<id>:alerts}</td><td>EVENT</td><td></td><td>a store's threshold alerts, overrides,
 *       spreads and rules</td></tr>
 *   <tr><td>{@code store:<id>:locks}</td><td>EVENT</td><td></td><td>a store's rate locks</td></tr>
 *   <tr><td>{@code user:<id>}</td><td>EVENT</td><td></td><td>a user's private messages</td></tr>
 *   <tr><td>{@code app:<name>}</td><td>EVENT</td><td></td><td>the embedding application's own events</td></tr>
 *   <tr><td>{@code system}</td><td>EVENT</td><td></td><td>hub status notices</td></tr>
 * </table>
 *
 * <p>Ids and names follow the identifier rule (1-64 letters, digits, {@code _ . : -}, starting with a letter or
 * digit). Stateless and thread-safe.
 */
public final class Channels {
    /** The aggregated market rates. */
    public static final String MARKET = "market";
    /** Market alerts. */
    public static final String MARKET_ALERTS = "market:alerts";
    /** Hub status notices. */
    public static final String SYSTEM = "system";

    private Channels() {
    }

    /** {@code store:<id>:rates}. */
    public static String storeRates(String storeId) {
        return "store:" + storeId(storeId) + ":rates";
    }

    /** {@code store:<id>:alerts}. */
    public static String storeAlerts(String storeId) {
        return "store:" + storeId(storeId) + ":alerts";
    }

    /** {@code store:<id>:locks}. */
    public static String storeLocks(String storeId) {
        return "store:" + storeId(storeId) + ":locks";
    }

    /** {@code user:<id>}. */
    public static String user(String userId) {
        return "user:" + Require.id("userId", userId);
    }

    /** {@code app:<name>}. */
    public static String app(String name) {
        return "app:" + Require.id("name", name);
    }

    private static String storeId(String id) {
        return Require.id("storeId", id);
    }

    /**
     * The kind of a channel name.
     *
     * @throws ValidationException naming field {@code channel} when the name is not one of ratehub's channels
     */
    public static ChannelKind kindOf(String name) {
        Require.notNull("channel", name);
        if (name.equals(MARKET)) {
            return ChannelKind.STATE;
        }
        if (name.equals(MARKET_ALERTS) || name.equals(SYSTEM)) {
            return ChannelKind.EVENT;
        }
        if (name.startsWith("store:")) {
            int end = name.lastIndexOf(':');
            String id = end > 6 ? name.substring(6, end) : "";
            String suffix = name.substring(end + 1);
            if (!id.isEmpty() && isId(id)) {
                switch (suffix) {
                    case "rates":
                        return ChannelKind.STATE;
                    case "alerts":
                    case "locks":
                        return ChannelKind.EVENT;
                    default:
                        break;
                }
            }
        } else if ((name.startsWith("user:") && isId(name.substring(5)))
                || (name.startsWith("app:") && isId(name.substring(4)))) {
            return ChannelKind.EVENT;
        }
        throw new ValidationException("channel", name, "is not a ratehub channel (market, market:alerts, "
                + "store:<id>:rates|alerts|locks, user:<id>, app:<name>, system)");
    }

    /** The store id of a {@code store:} channel, or {@code null} for other channels. */
    public static String storeOf(String name) {
        if (name == null || !name.startsWith("store:")) {
            return null;
        }
        int end = name.lastIndexOf(':');
        return end > 6 ? name.substring(6, end) : null;
    }

    private static boolean isId(String s) {
        try {
            Require.id("id", s);
            return true;
        } catch (ValidationException e) {
            return false;
        }
    }
}
