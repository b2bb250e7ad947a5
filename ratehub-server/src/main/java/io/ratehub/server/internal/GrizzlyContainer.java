package io.ratehub.server.internal;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * A Tyrus server container without an HTTP server of its own: its engine is plugged into our Grizzly listener by
 * {@link WebSocketUpgrade}, so that WebSocket and HTTP share one port and we choose the bind address.
 */
public final class GrizzlyContainer extends TyrusServerContainer {
    private final TyrusWebSocketEngine engine;
    private final String contextPath;

    /**
     * @param maxFrameBytes frames larger than this are refused with 1009
     * @param contextPath the context path endpoints are registered under
     */
    public GrizzlyContainer(int maxFrameBytes, String contextPath) {
        super(Set.<Class<?>>of());
        this.contextPath = contextPath;
        // Headroom above the frame limit, so the per-session message limit answers 1009 before the raw
        // incoming buffer overflows (which Tyrus reports as 1011).
        int buffer = (int) Math.min(Integer.MAX_VALUE, 2L * maxFrameBytes + 4096);
        this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(buffer).build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, contextPath);
    }

    @Override
    public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
        engine.register(serverEndpointConfig, contextPath);
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of();
    }
}
