package io.ratehub.testkit;

import io.ratehub.client.RateHubClient;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.Role;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: gives each test a fresh {@link InMemoryRateHub}, and connected {@link RateHubClient}s for
 * parameters annotated {@link Client}, all closed after the test.
 *
 * <pre>{@code
 * @ExtendWith(RateHubExtension.class)
 * class CalculatorTest {
 *     @Test
 *     void quotesOnlyLiveRates(InMemoryRateHub hub, @Client(role = Role.TERMINAL, stores = "s1") RateHubClient c) {
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class RateHubExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RateHubExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        return type == InMemoryRateHub.class || (type == RateHubClient.class && p.isAnnotated(Client.class));
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        // JUnit closes AutoCloseable values of the store when the test ends.
        InMemoryRateHub hub = e.getStore(NS).getOrComputeIfAbsent("hub", k -> InMemoryRateHub.create(),
                InMemoryRateHub.class);
        if (p.getParameter().getType() == InMemoryRateHub.class) {
            return hub;
        }
        Client c = p.findAnnotation(Client.class).orElseThrow();
        String id = c.id().isEmpty() ? p.getParameter().getName() + "-" + p.getIndex() : c.id();
        Principal principal;
        try {
            principal = new Principal(id, c.role(), Set.of(c.stores()));
        } catch (RuntimeException ex) {
            throw new ParameterResolutionException("bad @Client on " + p.getParameter() + ": " + ex.getMessage(), ex);
        }
        return c.connected() ? hub.connect(principal) : hub.client(principal);
    }

    /** Marks a {@link RateHubClient} parameter to be resolved by {@link RateHubExtension}. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.PARAMETER)
    public @interface Client {
        /** The principal's role. Default {@link Role#ADMIN}. */
        Role role() default Role.ADMIN;

        /** The principal's stores (exactly one for a terminal). Default: none. */
        String[] stores() default {};

        /** The principal's id. Default: the parameter's name and index. */
        String id() default "";

        /** Whether to connect it before the test. Default: true. */
        boolean connected() default true;
    }
}
