package io.ratehub.core.protocol;

import io.ratehub.core.ValidationException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts authenticated connections and refuses one that would pass a limit: in total, per principal, and per
 * store (a connection counts once for each store its principal is scoped to; admins count for none).
 *
 * <p>Thread-safe. {@link #unlimited()} admits everything.
 */
public final class ConnectionLimits {
    /** Default most connections in total: 10,000. */
    public static final int DEFAULT_MAX_TOTAL = 10_000;
    /** Default most connections per store: 50 (the seeds' figure). */
    public static final int DEFAULT_MAX_PER_STORE = 50;
    /** Default most connections per principal: 10. */
    public static final int DEFAULT_MAX_PER_PRINCIPAL = 10;

    private final int maxTotal;
    private final int maxPerStore;
    private final int maxPerPrincipal;
    private final Map<String, Integer> perPrincipal = new ConcurrentHashMap<>();
    private final Map<String, Integer> perStore = new ConcurrentHashMap<>();
    private int total; // guarded by this

    /**
     * @param maxTotal most connections in total, >= 1
     * @param maxPerStore most connections per store, >= 1
     * @param maxPerPrincipal most connections per principal, >= 1
     */
    public ConnectionLimits(int maxTotal, int maxPerStore, int maxPerPrincipal) {
        this.maxTotal = atLeastOne("maxTotal", maxTotal);
        this.maxPerStore = atLeastOne("maxPerStore", maxPerStore);
        this.maxPerPrincipal = atLeastOne("maxPerPrincipal", maxPerPrincipal);
    }

    /** The defaults: {@link #DEFAULT_MAX_TOTAL}, {@link #DEFAULT_MAX_PER_STORE}, {@link #DEFAULT_MAX_PER_PRINCIPAL}. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_TOTAL, DEFAULT_MAX_PER_STORE, DEFAULT_MAX_PER_PRINCIPAL);
    }

    /** No limits. */
    public static ConnectionLimits unlimited() {
        return new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    private static int atLeastOne(String field, int n) {
        if (n < 1) {
            throw new ValidationException(field, n, "must be >= 1");
        }
        return n;
    }

    /**
     * Counts a connection of {@code p}, or refuses it.
     *
     * @return {@code null} when admitted; otherwise which limit it would pass
     */
    public synchronized String admit(Principal p) {
        if (total >= maxTotal) {
            return "at most " + maxTotal + " connections";
        }
        if (perPrincipal.getOrDefault(p.id(), 0) >= maxPerPrincipal) {
            return "at most " + maxPerPrincipal + " connections per principal";
        }
        if (p.role() != Role.ADMIN) {
            for (String store : p.stores()) {
                if (perStore.getOrDefault(store, 0) >= maxPerStore) {
                    return "at most " + maxPerStore + " connections for store " + store;
                }
            }
        }
        total++;
        perPrincipal.merge(p.id(), 1, Integer::sum);
        if (p.role() != Role.ADMIN) {
            for (String store : p.stores()) {
                perStore.merge(store, 1, Integer::sum);
            }
        }
        return null;
    }

    /** Uncounts an admitted connection of {@code p}. */
    public synchronized void release(Principal p) {
        total--;
        perPrincipal.computeIfPresent(p.id(), (k, v) -> v <= 1 ? null : v - 1);
        if (p.role() != Role.ADMIN) {
            for (String store : p.stores()) {
                perStore.computeIfPresent(store, (k, v) -> v <= 1 ? null : v - 1);
            }
        }
    }

    /** Authenticated connections counted now. */
    public synchronized int total() {
        return total;
    }
}
