package io.ratehub.core.protocol;

import io.ratehub.core.hub.Channels;

/**
 * Decides what a principal may read and do. Every subscription and every command passes through it, over
 * WebSocket and HTTP alike.
 *
 * <p>Implementations must be thread-safe and quick. Wrap {@link #roles()} to add an application's own rules.
 */
public interface Authorizer {

    /** Whether {@code principal} may subscribe to {@code channel} (a valid channel name). */
    boolean canSubscribe(Principal principal, String channel);

    /**
     * Whether {@code principal} may run {@code command} on {@code storeId} ({@code null} for {@link Command#REQUEST}).
     */
    boolean canRun(Principal principal, Command command, String storeId);

    /**
     * Whether {@code principal} may run {@code command} on some store at all: asked before the command's fields are
     * read (over HTTP, before the request body is), so that a principal who may never run it is refused at once.
     * Answer {@code false} only when {@link #canRun} would be false for every store; {@link #canRun} is still asked
     * for the store itself. The default answers {@code true}.
     */
    default boolean canRunAny(Principal principal, Command command) {
        return true;
    }

    /**
     * The role rules:
     * <ul>
     *   <li>every role reads {@code market}, {@code market:alerts}, {@code system} and {@code app:*};</li>
     *   <li>{@code store:<id>:*} is read by principals scoped to that store (admins: every store);</li>
     *   <li>{@code user:<id>} is read only by that principal (and admins);</li>
     *   <li>ADMIN runs every command; MANAGER runs every command on its stores; TERMINAL runs lock commands on its
     *   store; VIEWER runs none; every role may send application requests.</li>
     * </ul>
     */
    static Authorizer roles() {
        return RoleRules.INSTANCE;
    }

    /** The default rules; see {@link Authorizer#roles()}. */
    enum RoleRules implements Authorizer {
        /** The only instance. */
        INSTANCE;

        @Override
        public boolean canSubscribe(Principal p, String channel) {
            if (channel.equals(Channels.MARKET) || channel.equals(Channels.MARKET_ALERTS)
                    || channel.equals(Channels.SYSTEM) || channel.startsWith("app:")) {
                return true;
            }
            String store = Channels.storeOf(channel);
            if (store != null) {
                return p.coversStore(store);
            }
            if (channel.startsWith("user:")) {
                return p.role() == Role.ADMIN || channel.substring(5).equals(p.id());
            }
            return false;
        }

        @Override
        public boolean canRun(Principal p, Command command, String storeId) {
            if (command == Command.REQUEST) {
                return true;
            }
            switch (p.role()) {
                case ADMIN:
                    return true;
                case MANAGER:
                    return storeId != null && p.coversStore(storeId);
                case TERMINAL:
                    return command.isLock() && storeId != null && p.coversStore(storeId);
                default:
                    return false;
            }
        }

        @Override
        public boolean canRunAny(Principal p, Command command) {
            if (command == Command.REQUEST) {
                return true;
            }
            return switch (p.role()) {
                case ADMIN -> true;
                case MANAGER -> !p.stores().isEmpty();
                case TERMINAL -> command.isLock() && !p.stores().isEmpty();
                default -> false;
            };
        }
    }
}
