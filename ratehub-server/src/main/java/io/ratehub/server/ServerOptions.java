package io.ratehub.server;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How the WebSocket endpoint treats connections: path, frame size, allowed origins and heartbeat. Used by the standalone {@link RateHubServer} and by {@link RateHubEndpoints} when embedding.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class ServerOptions {
    /** Default WebSocket path: {@code /ratehub}. */
    public static final String DEFAULT_PATH = "/ratehub";
    /** Default largest frame accepted: 1 MiB; a larger one closes the connection with 1009. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** Default interval between server pings: 30 seconds. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
    /** Default wait for any traffic after a ping before the connection is closed with 4009: 5 seconds. */
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(5);

    private final String path;
    private final int maxFrameBytes;
    private final Set<String> allowedOrigins;
    private final boolean anyOrigin;
    private final Duration pingInterval;
    private final Duration pongTimeout;

    private ServerOptions(Builder b) {
        this.path = b.path;
        this.maxFrameBytes = b.maxFrameBytes;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.anyOrigin = b.anyOrigin;
        this.pingInterval = b.pingInterval;
        this.pongTimeout = b.pongTimeout;
    }

    /** The defaults. */
    public static ServerOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The WebSocket path. */
    public String path() {
        return path;
    }

    /** The largest text frame accepted, in bytes. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Browser origins allowed besides the server's own; see {@link Builder#allowedOrigins}. */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Whether every origin may connect; see {@link Builder#allowAnyOrigin}. */
    public boolean anyOriginAllowed() {
        return anyOrigin;
    }

    /** Interval between server pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** Wait after a ping for any traffic. */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    /**
     * Whether a handshake with this {@code Origin} header is allowed, {@code host} being the {@code Host} header of
     * the same request. Allowed: any origin when {@link Builder#allowAnyOrigin} is set; no {@code Origin} at all
     * (not a browser) unless {@link #allowedOrigins()} is set; a listed origin; and the server's own origin: an
     * {@code http} or {@code https} origin whose host and port are the request's {@code Host} (an absent port being
     * the scheme's default). Everything else, {@code Origin: null} included, is refused.
     *
     * @param origin the {@code Origin} header, or {@code null} when there is none
     * @param host the {@code Host} header, or {@code null} when it is not known (then only listed origins pass)
     * @since 0.1.0
     */
    public boolean originAllowed(String origin, String host) {
        if (anyOrigin) {
            return true;
        }
        if (origin == null) {
            return allowedOrigins.isEmpty();
        }
        return allowedOrigins.contains(origin) || sameOrigin(origin, host);
    }

    /** Whether {@code origin}'s scheme is http(s) and its host and port are those of the {@code Host} header. */
    static boolean sameOrigin(String origin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        java.net.URI o;
        java.net.URI h;
        try {
            o = new java.net.URI(origin.trim());
            h = new java.net.URI("http://" + host.trim());
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        String scheme = o.getScheme() == null ? "" : o.getScheme().toLowerCase(java.util.Locale.ROOT);
        int defaultPort = scheme.equals("http") ? 80 : scheme.equals("https") ? 443 : -1;
        if (defaultPort < 0 || o.getHost() == null || h.getHost() == null || o.getRawPath() != null
                && !o.getRawPath().isEmpty() || o.getRawUserInfo() != null || h.getRawUserInfo() != null
                || h.getRawPath() != null && !h.getRawPath().isEmpty() || o.getRawQuery() != null
                || h.getRawQuery() != null) {
            return false;
        }
        int originPort = o.getPort() < 0 ? defaultPort : o.getPort();
        int hostPort = h.getPort() < 0 ? defaultPort : h.getPort();
        return o.getHost().equalsIgnoreCase(h.getHost()) && originPort == hostPort;
    }

    /** Builds {@link ServerOptions}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private String path = DEFAULT_PATH;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private Set<String> allowedOrigins = Set.of();
        private boolean anyOrigin;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration pongTimeout = DEFAULT_PONG_TIMEOUT;

        private Builder() {
        }

        /** The WebSocket path, starting with '/'. Default {@link #DEFAULT_PATH}. */
        public Builder path(String p) {
            if (p == null || !p.startsWith("/") || p.length() > 200) {
                throw new ValidationException("path", p, "must start with '/'");
            }
            this.path = p;
            return this;
        }

        /** Largest frame in bytes, 1 KiB to 64 MiB. Default {@link #DEFAULT_MAX_FRAME_BYTES}. */
        public Builder maxFrameBytes(int n) {
            if (n < 1024 || n > (64 << 20)) {
                throw new ValidationException("maxFrameBytes", n, "must be between 1024 and 67108864");
            }
            this.maxFrameBytes = n;
            return this;
        }

        /**
         * Browser origins allowed to connect besides the server's own, for example
         * {@code https://dashboard.example.com} (scheme, host and port as browsers send them). By default a browser
         * may connect only from a page of the server's own origin (its {@code Host}: the rate board at
         * {@code /board/}, for one), so that a page on another site holding a leaked key cannot read rates; a
         * handshake from an origin that is neither the server's nor listed is refused with HTTP 403. Once a list is
         * set, a handshake without an {@code Origin} header (not a browser) is refused too. Embedded in another
         * container ({@link RateHubEndpoints}), where the Jakarta API shows the origin but not the request's
         * {@code Host}, only listed origins pass: list the origin of your own pages. Default: empty.
         */
        public Builder allowedOrigins(List<String> origins) {
            Require.notNull("allowedOrigins", origins);
            for (String o : origins) {
                Require.notNull("allowedOrigins", o);
            }
            this.allowedOrigins = Set.copyOf(origins);
            return this;
        }

        /**
         * Lets a browser page from any site connect (the origin check off). Only for a hub whose credentials are
         * never held by browsers of untrusted sites: any page that obtains a key can then read with it.
         * Default: false, only the server's own origin and {@link #allowedOrigins} connect.
         *
         * @since 0.1.0
         */
        public Builder allowAnyOrigin(boolean any) {
            this.anyOrigin = any;
            return this;
        }

        /** Default {@link #DEFAULT_PING_INTERVAL}. */
        public Builder pingInterval(Duration d) {
            this.pingInterval = positive("pingInterval", d);
            return this;
        }

        /** Default {@link #DEFAULT_PONG_TIMEOUT}. */
        public Builder pongTimeout(Duration d) {
            this.pongTimeout = positive("pongTimeout", d);
            return this;
        }

        private static Duration positive(String field, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new ValidationException(field, d, "must be > 0");
            }
            return d;
        }

        /** The options. */
        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }
}
