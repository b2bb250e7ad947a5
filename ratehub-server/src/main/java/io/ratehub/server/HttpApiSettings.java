package io.ratehub.server;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.Require;
import java.time.Duration;

/**
 * Limits of the HTTP API ({@code /api/*}) on the server's port: how long a request body may take to arrive, how many
 * requests one principal may make, and the pool of API workers that runs them. Health checks ({@code /health/*})
 * and the rate board ({@code /board/}) are outside all of these: they are answered on Grizzly's own threads and
 * never wait for an API worker. See docs/PROTOCOL.md, "HTTP API" and "Limits".
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class HttpApiSettings {
    /** Default time a request body has to arrive in full once the request is authorized: 5 seconds. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(5);
    /** Default requests one principal may make per minute over HTTP (sustained), reads and commands alike: 100. */
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 100;
    /** Default burst of requests one principal may make above the sustained rate: 100. */
    public static final int DEFAULT_REQUEST_BURST = 100;
    /** Default number of API worker threads: 4. */
    public static final int DEFAULT_WORKERS = 4;
    /** Default number of API requests that may wait for a worker before more are refused with 503: 1,000. */
    public static final int DEFAULT_MAX_QUEUED_REQUESTS = 1_000;

    private final Duration bodyTimeout;
    private final int requestsPerMinute;
    private final int requestBurst;
    private final int workers;
    private final int maxQueuedRequests;

    private HttpApiSettings(Builder b) {
        this.bodyTimeout = b.bodyTimeout;
        this.requestsPerMinute = b.requestsPerMinute;
        this.requestBurst = b.requestBurst;
        this.workers = b.workers;
        this.maxQueuedRequests = b.maxQueuedRequests;
    }

    /** The defaults. */
    public static HttpApiSettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Time a request body has to arrive in full, counted from the moment the request is authorized. */
    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    /** Sustained requests per minute per principal. */
    public int requestsPerMinute() {
        return requestsPerMinute;
    }

    /** Burst of requests per principal. */
    public int requestBurst() {
        return requestBurst;
    }

    /** API worker threads. */
    public int workers() {
        return workers;
    }

    /** API requests that may wait for a worker. */
    public int maxQueuedRequests() {
        return maxQueuedRequests;
    }

    /** Builds {@link HttpApiSettings}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private int requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE;
        private int requestBurst = DEFAULT_REQUEST_BURST;
        private int workers = DEFAULT_WORKERS;
        private int maxQueuedRequests = DEFAULT_MAX_QUEUED_REQUESTS;

        private Builder() {
        }

        /**
         * Time a request body has to arrive in full once the request is authorized; a slower one is answered 408
         * {@code request_timeout} and its connection closed. No thread waits for the body meanwhile. Default
         * {@link #DEFAULT_BODY_TIMEOUT}.
         */
        public Builder bodyTimeout(Duration d) {
            this.bodyTimeout = Require.positive("bodyTimeout", d);
            return this;
        }

        /**
         * Sustained requests per minute per principal ({@code GET} and {@code POST} on {@code /api/*} share one
         * budget); past it, 429 {@code rate_limited} with {@code Retry-After}. Default
         * {@link #DEFAULT_REQUESTS_PER_MINUTE}.
         */
        public Builder requestsPerMinute(int n) {
            this.requestsPerMinute = atLeastOne("requestsPerMinute", n);
            return this;
        }

        /** Requests per principal allowed in a burst above the sustained rate. Default {@link #DEFAULT_REQUEST_BURST}. */
        public Builder requestBurst(int n) {
            this.requestBurst = atLeastOne("requestBurst", n);
            return this;
        }

        /**
         * API worker threads: they authenticate, authorize and run {@code /api/*} requests (never waiting for a
         * body). Default {@link #DEFAULT_WORKERS}.
         */
        public Builder workers(int n) {
            this.workers = atLeastOne("workers", n);
            return this;
        }

        /**
         * API requests that may wait for a free worker; past it, 503 {@code overloaded} with {@code Retry-After}.
         * Default {@link #DEFAULT_MAX_QUEUED_REQUESTS}.
         */
        public Builder maxQueuedRequests(int n) {
            this.maxQueuedRequests = atLeastOne("maxQueuedRequests", n);
            return this;
        }

        private static int atLeastOne(String field, int n) {
            if (n < 1) {
                throw new ValidationException(field, n, "must be >= 1");
            }
            return n;
        }

        /** The settings. */
        public HttpApiSettings build() {
            return new HttpApiSettings(this);
        }
    }
}
