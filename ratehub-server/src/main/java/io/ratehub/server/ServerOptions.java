package io.ratehub.server;

import io.ratehub.core.ValidationException;
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
    private final Duration pingInterval;
    private final Duration pongTimeout;

    private ServerOptions(Builder b) {
        this.path = b.path;
        this.maxFrameBytes = b.maxFrameBytes;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
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

    /** Allowed {@code Origin} values; empty allows any. */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Interval between server pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** Wait after a ping for any traffic. */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    /** Whether a handshake with this {@code Origin} header (may be null) is allowed. */
    public boolean originAllowed(String origin) {
        return allowedOrigins.isEmpty() || (origin != null && allowedOrigins.contains(origin));
    }

    /** Builds {@link ServerOptions}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private String path = DEFAULT_PATH;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private Set<String> allowedOrigins = Set.of();
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
         * Browser origins allowed to connect, for example {@code https://dashboard.example.com}. A handshake from any
         * other origin is refused with HTTP 403; one without an {@code Origin} header (not a browser) is refused too
         * once the list is set. Default: empty, any origin.
         */
        public Builder allowedOrigins(List<String> origins) {
            this.allowedOrigins = Set.copyOf(origins);
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
