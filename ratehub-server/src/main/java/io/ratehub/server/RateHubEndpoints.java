package io.ratehub.server;

import io.ratehub.core.internal.Require;
import io.ratehub.core.protocol.ProtocolService;
import io.ratehub.server.internal.HandshakeCredentials;
import io.ratehub.server.internal.HubEndpoint;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.function.BooleanSupplier;

/**
 * The ratehub WebSocket endpoint as a {@link ServerEndpointConfig}, for an application that already runs a Jakarta
 * WebSocket container (Tomcat, Jetty, GlassFish, Tyrus): register it during deployment.
 *
 * <pre>{@code
 * ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
 * container.addEndpoint(RateHubEndpoints.config(protocolService, ServerOptions.defaults()));
 * }</pre>
 *
 * <p>The endpoint uses only the Jakarta WebSocket API. Stateless and thread-safe.
 */
public final class RateHubEndpoints {
    private RateHubEndpoints() {
    }

    /**
     * The endpoint at {@link ServerOptions#path()}, serving {@code service}. Browser origins are checked by the
     * container's {@code checkOrigin}, which sees the {@code Origin} but not the request's {@code Host}: only the
     * origins listed in {@link ServerOptions#allowedOrigins()} (or any, with {@code allowAnyOrigin}) connect.
     */
    public static ServerEndpointConfig config(ProtocolService service, ServerOptions options) {
        return config(service, options, () -> true, false);
    }

    /** Registers {@link #config(ProtocolService, ServerOptions)} on {@code container}. */
    public static void register(ServerContainer container, ProtocolService service, ServerOptions options)
            throws jakarta.websocket.DeploymentException {
        container.addEndpoint(config(service, options));
    }

    /**
     * @param transportChecksOrigin true when the transport has judged the origin already, with the request's
     *     {@code Host} (the standalone server's {@code WebSocketUpgrade})
     */
    static ServerEndpointConfig config(ProtocolService service, ServerOptions options, BooleanSupplier accepting,
                                       boolean transportChecksOrigin) {
        Require.notNull("service", service);
        Require.notNull("options", options);
        ServerEndpointConfig.Configurator configurator = new ServerEndpointConfig.Configurator() {
            @Override
            public <T> T getEndpointInstance(Class<T> endpointClass) {
                return endpointClass.cast(new HubEndpoint(service, options, accepting));
            }

            @Override
            public boolean checkOrigin(String originHeaderValue) {
                return transportChecksOrigin || options.originAllowed(originHeaderValue, null);
            }

            @Override
            public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
                                        HandshakeResponse response) {
                // Per connection: the WebSocket 2.1 containers (Tyrus 2.x included) copy user properties per
                // handshake, so credentials never leak between connections.
                String address = remoteAddress(request);
                if (address != null) {
                    sec.getUserProperties().put(HubEndpoint.REMOTE_ADDRESS, address);
                }
                Object creds = HandshakeCredentials.from(request.getHeaders(), address);
                if (creds != null) {
                    sec.getUserProperties().put(HubEndpoint.CREDENTIALS, creds);
                }
            }
        };
        return ServerEndpointConfig.Builder.create(HubEndpoint.class, options.path())
                .configurator(configurator)
                .build();
    }

    /**
     * The client's address as the container's handshake request knows it: the Jakarta API has no accessor, but
     * Tyrus's request (and others) offer {@code getRemoteAddr()}; {@code null} when there is none. Containers that
     * put it in the session's user properties instead (Jetty) are read by the endpoint.
     */
    static String remoteAddress(HandshakeRequest request) {
        try {
            Object address = request.getClass().getMethod("getRemoteAddr").invoke(request);
            return address instanceof String s && !s.isBlank() ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
