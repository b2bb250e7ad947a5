package io.ratehub.server.internal;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
    private final int maxFrameBytes;
    private final ScheduledExecutorService timer;

    /**
     * @param maxFrameBytes frames larger than this are refused with 1009
     * @param contextPath the context path endpoints are registered under
     */
    public GrizzlyContainer(int maxFrameBytes, String contextPath) {
        super(Set.<Class<?>>of());
        this.contextPath = contextPath;
        this.maxFrameBytes = maxFrameBytes;
        // WebSocketUpgrade refuses a frame or message over the limit from its header (1009), before Tyrus buffers
        // it. Tyrus's own buffer holds the rest of one frame plus one read of the socket, and answers 1011 when
        // that passes its size: keep it well above both, so that only our 1009 is ever seen. (It is no
        // allocation: Tyrus buffers only what is pending.)
        int buffer = (int) Math.min(Integer.MAX_VALUE, 2L * maxFrameBytes + (16 << 20));
        this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(buffer).build();
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "ratehub-ws-linger");
            thread.setDaemon(true);
            return thread;
        });
        t.setKeepAliveTime(1, TimeUnit.SECONDS);
        t.allowCoreThreadTimeOut(true); // a thread only while connections are closing
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** The largest frame or message a client may send, in bytes. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** A timer for closing connections (its thread lives only while it has work). */
    ScheduledExecutorService timer() {
        return timer;
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
