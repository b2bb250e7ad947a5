package io.ratehub.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: gives each test a fresh {@link RealRateHub} (a real server on a free port), stopped after the
 * test.
 */
public final class RealRateHubExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RealRateHubExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == RealRateHub.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        // JUnit closes AutoCloseable values of the store when the test ends.
        return e.getStore(NS).getOrComputeIfAbsent("real", k -> new RealRateHub(), RealRateHub.class);
    }
}
