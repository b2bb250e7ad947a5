package io.ratehub.core.protocol;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is connected: an authenticated identity with a role and the stores it is scoped to.
 *
 * <p>A {@link Role#TERMINAL} is scoped to exactly one store; a {@link Role#MANAGER} or {@link Role#VIEWER} to the
 * stores listed; an {@link Role#ADMIN} to every store (its list is ignored). Immutable and thread-safe.
 *
 * @param id the principal's identifier (a user, a terminal, an API key's name); the actor of its commands
 * @param role its role
 * @param stores the stores it is scoped to
 */
public record Principal(String id, Role role, Set<String> stores) {
    /** Validates the id and stores, and that a terminal has exactly one store. */
    public Principal {
        Require.id("id", id);
        Require.notNull("role", role);
        Require.notNull("stores", stores);
        for (String s : stores) {
            Require.id("stores", s);
        }
        stores = Set.copyOf(new TreeSet<>(stores));
        if (role == Role.TERMINAL && stores.size() != 1) {
            throw new ValidationException("stores", stores, "a terminal must belong to exactly one store");
        }
    }

    /** An administrator. */
    public static Principal admin(String id) {
        return new Principal(id, Role.ADMIN, Set.of());
    }

    /** A manager of the given stores. */
    public static Principal manager(String id, String... stores) {
        return new Principal(id, Role.MANAGER, Set.of(stores));
    }

    /** A terminal of one store. */
    public static Principal terminal(String id, String store) {
        return new Principal(id, Role.TERMINAL, Set.of(store));
    }

    /** A read-only viewer of the given stores. */
    public static Principal viewer(String id, String... stores) {
        return new Principal(id, Role.VIEWER, Set.of(stores));
    }

    /** Whether the principal is scoped to {@code storeId} (admins are scoped to every store). */
    public boolean coversStore(String storeId) {
        return role == Role.ADMIN || stores.contains(storeId);
    }
}
