package io.ratehub.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.hub.Channels;
import io.ratehub.core.hub.HubSession;
import io.ratehub.core.hub.RateHub;
import io.ratehub.core.protocol.AuthenticationException;
import io.ratehub.core.protocol.Command;
import io.ratehub.core.protocol.Credentials;
import io.ratehub.core.protocol.Principal;
import io.ratehub.core.protocol.ProtocolService;
import io.ratehub.core.protocol.Role;
import io.ratehub.server.HttpApiSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ReadHandler;
import org.glassfish.grizzly.http.io.NIOInputStream;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on the WebSocket's port: health, status, rates and every command, with the same credentials and
 * authorization as the WebSocket. JSON in and out; every error is a JSON body {@code {code, message, field}} with
 * a 4xx (or 5xx) status. See docs/PROTOCOL.md.
 *
 * <p>Threads: Grizzly's worker threads (which also carry every WebSocket connection's frames) only parse requests,
 * answer {@code /health/*} and {@code /board/} themselves, and hand each {@code /api/*} request, suspended, to the
 * API workers (a bounded pool of {@link HttpApiSettings#workers()} threads). So no API work, however slow, keeps a
 * health check or a WebSocket frame waiting. An API worker authenticates the request, takes it from the principal's
 * token bucket and authorizes the command before a byte of the body is read; a refusal is answered at once with
 * {@code Connection: close} (Grizzly drops the unread body as it arrives, without a thread, and the connection is
 * closed once it has, or at the body deadline). An accepted body is read without blocking (Grizzly's
 * {@link ReadHandler}): no thread waits while it trickles in, and one not complete within
 * {@link HttpApiSettings#bodyTimeout()} is answered 408 and its connection closed. Once complete, the command runs
 * on an API worker.
 */
public final class HttpApi extends HttpHandler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final int MAX_BODY = 1 << 20;
    /**
     * A declared body over {@link #MAX_BODY} but within this is dropped by Grizzly after the 413 (answered with
     * {@code Connection: close}, the connection closed once the body is dropped or at the body deadline), so that a
     * client still sending reads the answer: closing under an upload makes its TCP stack take a reset that discards
     * the unread answer. The server sets it as Grizzly's limit for skipping bodies its handlers do not read.
     */
    public static final long MAX_SKIPPED_BODY = 16L << 20;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FORGET_BUCKETS_EVERY = Duration.ofMinutes(1);

    private final ProtocolService service;
    private final BooleanSupplier ready;
    private final Instant started;
    private final BoardPage board;
    private final HttpApiSettings settings;
    private final ThreadPoolExecutor workers;
    private final PrincipalRates rates;
    private final ScheduledFuture<?> forgetting;

    /**
     * @param service the protocol the commands run through
     * @param ready whether the server takes traffic (false while starting or shutting down)
     * @param board the rate board to serve under {@code /board/}, or null for none
     * @param settings body deadline, request rates and API workers
     */
    public HttpApi(ProtocolService service, BooleanSupplier ready, BoardPage board, HttpApiSettings settings) {
        this.service = service;
        this.ready = ready;
        this.started = service.engine().clock().instant();
        this.board = board;
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.maxQueuedRequests()), r -> {
                    Thread t = new Thread(r, "ratehub-http-api-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.rates = new PrincipalRates(settings.requestsPerMinute(), settings.requestBurst(),
                service.engine().clock());
        long every = FORGET_BUCKETS_EVERY.toNanos();
        this.forgetting = service.scheduler().scheduleAtFixedRate(rates::forgetFull, every, every,
                TimeUnit.NANOSECONDS);
    }

    /** How many API requests wait for a worker. */
    public int queuedRequests() {
        return workers.getQueue().size();
    }

    /** Stops the API workers (requests still queued are dropped with their connections). */
    @Override
    public void close() {
        forgetting.cancel(false);
        workers.shutdownNow();
    }

    /**
     * {@code Expect: 100-continue}: with a declared body over the limit, the 413 instead of the go-ahead, then the
     * connection is closed (once the answer is written), since the body it announced will not be read. On the API
     * the go-ahead waits until the request is authorized ({@link Exchange#readBody}).
     */
    @Override
    protected boolean sendAcknowledgment(Request request, Response response) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            error(response, 413, ErrorCode.INVALID_ARGUMENT.wireName(), tooLarge(), null, true);
            response.finish();
            request.getConnection().closeSilently(); // graceful: after the queued answer
            return false;
        }
        if (request.getRequestURI().startsWith("/api/")) {
            return true;
        }
        return super.sendAcknowledgment(request, response);
    }

    private static String tooLarge() {
        return "body larger than " + MAX_BODY + " bytes";
    }

    /** On a Grizzly worker: health and the board are answered here; an API request goes to the API workers. */
    @Override
    public void service(Request request, Response response) throws IOException {
        String method = request.getMethod().getMethodString();
        String path = request.getRequestURI();
        if (path.startsWith("/api/")) {
            if (workers.getQueue().remainingCapacity() == 0) {
                overloaded(method, path, request.getRemoteAddr());
                response.setHeader("Retry-After", "1");
                error(response, 503, "overloaded", "the server is busy; retry later", null,
                        request.getContentLengthLong() > 0 || request.getRequest().isChunked());
                return;
            }
            Exchange exchange = new Exchange(request, response);
            try {
                workers.execute(() -> api(exchange));
            } catch (RejectedExecutionException e) { // filled up meanwhile: answered from another thread, as always
                overloaded(method, path, exchange.head.remoteAddress);
                service.scheduler().execute(() -> exchange.error(new HttpError(503, "overloaded",
                        "the server is busy; retry later", false), Map.of("Retry-After", "1")));
            }
            return;
        }
        try {
            local(method, path, response);
        } catch (HttpError e) {
            error(response, e.status, e.code, e.getMessage(), null, e.close);
        } catch (RuntimeException e) {
            LOG.error("HTTP {} {} failed", method, path, e);
            error(response, 500, ErrorCode.INTERNAL.wireName(), "internal error", null, false);
        }
    }

    private void overloaded(String method, String path, String from) {
        LOG.debug("HTTP {} {} from {}: every API worker is busy and {} requests wait; refused with 503", method, path,
                from, settings.maxQueuedRequests());
    }

    private void local(String method, String path, Response response) throws IOException {
        if (path.equals("/health/live")) {
            requireMethod(method, "GET");
            json(response, 200, Map.of("status", "UP"));
            return;
        }
        if (path.equals("/health/ready")) {
            requireMethod(method, "GET");
            boolean ok = ready.getAsBoolean();
            json(response, ok ? 200 : 503, Map.of("status", ok ? "READY" : "NOT_READY"));
            return;
        }
        if (board != null && (path.equals(BoardPage.PREFIX) || path.startsWith(BoardPage.PREFIX + "/"))) {
            serveBoard(method, path, response);
            return;
        }
        throw new HttpError(404, "not_found", "no such resource: " + path);
    }

    /** On an API worker: authentication, the principal's rate, authorization, then the read or the command. */
    private void api(Exchange ex) {
        Head head = ex.head;
        try {
            Principal p = authenticate(head);
            long retryAfter = rates.take(p.id());
            if (retryAfter > 0) {
                ex.error(new HttpError(429, ErrorCode.RATE_LIMITED.wireName(), "more than "
                        + settings.requestsPerMinute() + " requests per minute for " + p.id() + "; retry in "
                        + retryAfter + " s", head.hasBody()), Map.of("Retry-After", Long.toString(retryAfter)));
                return;
            }
            String[] parts = head.path.substring(5).split("/", -1);
            boolean isCommand = parts.length == 1 && Command.ofOp(parts[0]) != null;
            if (head.method.equals("GET")) {
                if (isCommand) {
                    throw new HttpError(405, "method_not_allowed", "use POST for the command " + parts[0]);
                }
                ex.json(200, get(p, parts));
                return;
            }
            if (head.method.equals("POST") && isReadResource(parts)) {
                throw new HttpError(405, "method_not_allowed", "use GET for " + head.path);
            }
            if (head.method.equals("POST") && parts.length == 1) {
                Command command = Command.ofOp(parts[0]);
                if (command == null) {
                    throw new HttpError(404, ErrorCode.UNKNOWN_OP.wireName(), "no such command: " + parts[0]);
                }
                if (!service.authorizer().canRunAny(p, command)) {
                    throw new RateHubException(ErrorCode.FORBIDDEN, p.role() + " " + p.id() + " may not run "
                            + command.op());
                }
                if (head.declaredLength > MAX_BODY) {
                    HttpError tooLarge = new HttpError(413, ErrorCode.INVALID_ARGUMENT.wireName(), tooLarge(), true);
                    if (head.declaredLength > MAX_SKIPPED_BODY) {
                        throw tooLarge; // the connection is closed at once after the answer
                    }
                    ex.dropBody(tooLarge);
                    return;
                }
                ex.readBody(bytes -> dispatch(ex, () -> run(ex, p, command, bytes)));
                return;
            }
            throw new HttpError(405, "method_not_allowed", head.method + " is not allowed on " + head.path);
        } catch (RuntimeException e) {
            ex.fail(e);
        }
    }

    private void dispatch(Exchange ex, Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            ex.error(new HttpError(503, "overloaded", "the server is busy; retry later", false),
                    Map.of("Retry-After", "1"));
        }
    }

    private void run(Exchange ex, Principal p, Command command, byte[] bytes) {
        try {
            JsonNode body = parseBody(bytes);
            service.execute(p, command, body).toCompletableFuture()
                    .orTimeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((result, failure) -> {
                        if (failure == null) {
                            ex.json(200, Map.of("result", result == null ? Map.of() : result));
                            return;
                        }
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        if (cause instanceof TimeoutException) {
                            ex.fail(new HttpError(504, ErrorCode.INTERNAL.wireName(), "request timed out"));
                        } else if (cause instanceof RateHubException r) {
                            ex.fail(r);
                        } else {
                            LOG.error("HTTP {} {} failed", ex.head.method, ex.head.path, cause);
                            ex.fail(new RateHubException(ErrorCode.INTERNAL, "request failed", cause));
                        }
                    });
        } catch (RuntimeException e) {
            ex.fail(e);
        }
    }

    private void serveBoard(String method, String path, Response response) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new HttpError(405, "method_not_allowed", method + " is not allowed on " + path);
        }
        if (path.equals(BoardPage.PREFIX)) {
            response.setStatus(301);
            response.setHeader("Location", BoardPage.PREFIX + "/");
            response.setContentLength(0);
            return;
        }
        BoardPage.Asset asset = board.asset(path.substring(BoardPage.PREFIX.length()));
        if (asset == null) {
            throw new HttpError(404, "not_found", "no such resource: " + path);
        }
        response.setStatus(200);
        response.setContentType(asset.contentType());
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy",
                "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'");
        response.setContentLength(asset.bytes().length);
        if (method.equals("GET")) {
            response.getOutputStream().write(asset.bytes());
        }
    }

    private static boolean isReadResource(String[] parts) {
        return (parts.length == 1 && (parts[0].equals("status") || parts[0].equals("market")))
                || (parts.length == 3 && parts[0].equals("stores") && parts[2].equals("rates"))
                || (parts.length == 2 && parts[0].equals("locks"));
    }

    private Object get(Principal p, String[] parts) {
        if (parts.length == 1 && parts[0].equals("status")) {
            if (p.role() != Role.ADMIN) {
                throw new RateHubException(ErrorCode.FORBIDDEN, "status is for admins");
            }
            return status();
        }
        if (parts.length == 1 && parts[0].equals("market")) {
            return Map.of("rates", service.engine().marketRates());
        }
        if (parts.length == 3 && parts[0].equals("stores") && parts[2].equals("rates")) {
            String store = parts[1];
            if (!service.authorizer().canSubscribe(p, Channels.storeRates(store))) {
                throw new RateHubException(ErrorCode.FORBIDDEN, p.role() + " " + p.id() + " may not read store "
                        + store);
            }
            return Map.of("storeId", store, "rates", service.engine().storeRates(store));
        }
        if (parts.length == 2 && parts[0].equals("locks")) {
            var lock = service.engine().findLock(parts[1])
                    .filter(l -> service.authorizer().canSubscribe(p, Channels.storeLocks(l.storeId())))
                    .orElseThrow(() -> new RateHubException(ErrorCode.LOCK_NOT_FOUND, "no rate lock " + parts[1]));
            return Map.of("lock", lock);
        }
        throw new HttpError(404, "not_found", "no such resource: /api/" + String.join("/", parts));
    }

    private Map<String, Object> status() {
        RateHub hub = service.hub();
        int totalQueued = 0;
        int maxQueued = 0;
        long frames = 0;
        for (HubSession s : hub.sessions()) {
            int d = s.queueDepth();
            totalQueued += d;
            maxQueued = Math.max(maxQueued, d);
            frames += s.framesSent();
        }
        long published = 0;
        for (RateHub.ChannelStats c : hub.channelStats().values()) {
            published += c.published();
        }
        Instant now = service.engine().clock().instant();
        double seconds = Math.max(1, Duration.between(started, now).toMillis() / 1000.0);
        long received = service.messagesReceived();
        return Map.of(
                "uptimeSeconds", (long) seconds,
                "messages", Map.of(
                        "receivedTotal", received,
                        "receivedPerSecond", Math.round(received / seconds * 10) / 10.0,
                        "publishedTotal", published,
                        "publishedPerSecond", Math.round(published / seconds * 10) / 10.0,
                        "framesSentByOpenSessions", frames),
                "connections", service.connectionCount(),
                "authenticated", service.limits().total(),
                "sessions", hub.sessionCount(),
                "queuedUpdates", totalQueued,
                "maxSessionQueue", maxQueued,
                "channels", hub.channelStats(),
                "startedAt", started.toString(),
                "time", now.toString());
    }

    private Principal authenticate(Head head) {
        Map<String, List<String>> headers = new HashMap<>();
        if (head.authorization != null) {
            headers.put("Authorization", List.of(head.authorization));
        }
        if (head.apiKey != null) {
            headers.put("X-Api-Key", List.of(head.apiKey));
        }
        Object creds = HandshakeCredentials.from(headers, head.remoteAddress);
        if (!(creds instanceof Credentials c)) {
            throw new AuthenticationException("send Authorization: Bearer <token> or X-Api-Key: <key>");
        }
        Principal p = service.authenticator().authenticate(c);
        if (p == null) {
            throw new AuthenticationException("credentials refused");
        }
        return p;
    }

    private JsonNode parseBody(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "body", "", "must be a JSON object");
        }
        io.ratehub.core.codec.JsonCodec.Input input;
        try {
            input = service.codec().readInput(text); // the protocol's input rules, as on the WebSocket
        } catch (ValidationException e) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "body", text.length() > 60
                    ? text.substring(0, 60) + "..." : text, "is not valid JSON");
        }
        JsonNode node = input.tree();
        if (node == null || !node.isObject()) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "body", text.length() > 60
                    ? text.substring(0, 60) + "..." : text, "must be a JSON object");
        }
        if (input.problem() != null) {
            throw input.problem(); // a number with an exponent, a lone surrogate: refused naming the field
        }
        return node;
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HttpError(405, "method_not_allowed", method + " is not allowed here");
        }
    }

    /** The HTTP status of an error code. */
    static int status(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case LOCK_NOT_FOUND, UNKNOWN_STORE_RATE, UNKNOWN_OP -> 404;
            case LOCK_EXPIRED, LOCK_CANCELLED, LOCK_ALREADY_COMPLETED, STALE_RATE -> 409;
            case RATE_LIMITED, LIMIT_EXCEEDED -> 429;
            case AUDIT_FAILURE, AUDIT_CORRUPT -> 503;
            case INTERNAL -> 500;
            default -> 400;
        };
    }

    private byte[] encode(Object body) {
        return service.codec().encode(body).getBytes(StandardCharsets.UTF_8);
    }

    private void json(Response response, int status, Object body) throws IOException {
        write(response, status, encode(body));
    }

    private static void write(Response response, int status, byte[] bytes) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private ObjectNode errorBody(String code, String message, String field) {
        ObjectNode n = service.codec().newObject();
        n.put("code", code);
        n.put("message", message);
        if (field != null) {
            n.put("field", field);
        }
        return n;
    }

    private void error(Response response, int status, String code, String message, String field, boolean close)
            throws IOException {
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        if (close) {
            response.setHeader("Connection", "close");
        }
        json(response, status, errorBody(code, message, field));
    }

    /** What an API worker needs of a request, copied on the Grizzly thread while the request is surely live. */
    private record Head(String method, String path, String authorization, String apiKey, String remoteAddress,
                        long declaredLength, boolean chunked) {
        boolean hasBody() {
            return declaredLength > 0 || chunked;
        }
    }

    /**
     * One suspended API request. Everything that touches its Grizzly request or response holds the response's
     * suspend context's monitor, which Grizzly also holds when it cancels the request (the connection closed): so
     * once {@link #cancelled()} has run, nothing here touches the request again, even if Grizzly has recycled it
     * for another. Exactly one answer is written ({@link #done}).
     */
    private final class Exchange implements CompletionHandler<Response> {
        final Request request;
        final Response response;
        final Head head;
        final Connection<?> connection;
        final Object monitor;
        private final boolean requiresAck;
        private boolean done; // guarded by monitor
        private boolean bodyRead; // guarded by monitor
        private ScheduledFuture<?> deadline; // guarded by monitor
        private HttpError timeoutAnswer; // guarded by monitor; null: 408

        Exchange(Request request, Response response) {
            this.request = request;
            this.response = response;
            this.connection = request.getContext().getConnection();
            this.head = new Head(request.getMethod().getMethodString(), request.getRequestURI(),
                    request.getHeader("Authorization"), request.getHeader("X-Api-Key"), request.getRemoteAddr(),
                    request.getContentLengthLong(), request.getRequest().isChunked());
            this.requiresAck = request.requiresAcknowledgement();
            this.monitor = response.getSuspendContext();
            response.suspend(-1, TimeUnit.MILLISECONDS, this);
        }

        /** Sends the go-ahead if the client waits for it, then reads the body without blocking. */
        void readBody(Consumer<byte[]> whenRead) {
            readBody(whenRead, true);
        }

        /**
         * Reads the declared body and drops it, then answers {@code refusal} (with {@code Connection: close}); at the
         * body deadline the refusal is answered anyway and the connection closed. So a client that sends its whole
         * over-large body still reads the answer (closing under an upload makes its TCP stack take a reset that
         * discards the unread answer), and no thread waits meanwhile.
         */
        void dropBody(HttpError refusal) {
            synchronized (monitor) {
                timeoutAnswer = refusal;
            }
            readBody(bytes -> error(refusal, Map.of()), false);
        }

        private void readBody(Consumer<byte[]> whenRead, boolean keep) {
            synchronized (monitor) {
                if (done) {
                    return;
                }
                if (!head.hasBody()) {
                    bodyRead = true;
                } else {
                    deadline = service.scheduler().schedule(this::bodyTimedOut,
                            settings.bodyTimeout().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            if (!head.hasBody()) {
                whenRead.accept(new byte[0]);
                return;
            }
            synchronized (monitor) {
                if (done) {
                    return;
                }
                try {
                    if (requiresAck) {
                        response.sendAcknowledgement();
                    }
                    NIOInputStream in = request.getNIOInputStream();
                    in.notifyAvailable(new BodyReader(in, whenRead, keep));
                } catch (IOException | RuntimeException e) {
                    LOG.debug("HTTP {} {}: reading the body failed: {}", head.method, head.path, e.toString());
                    closeAfter(new HttpError(400, "bad_request", "the request body could not be read", true));
                }
            }
        }

        /** Reads what has arrived of the body, never more (so never blocks). */
        private final class BodyReader implements ReadHandler {
            private final NIOInputStream in;
            private final Consumer<byte[]> whenRead;
            private final boolean keep;
            private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
            private long received;

            BodyReader(NIOInputStream in, Consumer<byte[]> whenRead, boolean keep) {
                this.in = in;
                this.whenRead = whenRead;
                this.keep = keep;
            }

            @Override
            public void onDataAvailable() throws Exception {
                synchronized (monitor) {
                    if (done || bodyRead || !drain()) {
                        return;
                    }
                    if (!complete()) {
                        in.notifyAvailable(this);
                        return;
                    }
                }
                whenRead.accept(buf.toByteArray());
            }

            @Override
            public void onAllDataRead() throws Exception {
                synchronized (monitor) {
                    if (done || bodyRead || !drain()) {
                        return;
                    }
                    if (head.declaredLength >= 0 && received < head.declaredLength) {
                        closeAfter(new HttpError(400, "bad_request", "the request body ended early", true));
                        return;
                    }
                    bodyRead = true;
                    deadline.cancel(false);
                }
                whenRead.accept(buf.toByteArray());
            }

            /**
             * Whether the body is all here: a declared length counts (Grizzly may only mark the end when more is
             * read, and nothing more may come); a chunked body ends with {@link #onAllDataRead()}.
             */
            private boolean complete() {
                if (head.declaredLength >= 0 && received >= head.declaredLength) {
                    bodyRead = true;
                    deadline.cancel(false);
                    return true;
                }
                return false;
            }

            /** Takes what is ready; false (after answering 413) when the body passes the limit. */
            private boolean drain() throws IOException {
                byte[] chunk = new byte[8192];
                int ready;
                while ((ready = in.readyData()) > 0) {
                    int n = in.read(chunk, 0, Math.min(chunk.length, ready));
                    if (n <= 0) {
                        break;
                    }
                    received += n;
                    if (!keep) {
                        continue;
                    }
                    buf.write(chunk, 0, n);
                    if (buf.size() > MAX_BODY) {
                        // A chunked body has no end to skip to: the connection is closed after the answer.
                        closeAfter(new HttpError(413, ErrorCode.INVALID_ARGUMENT.wireName(), tooLarge(), true));
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void onError(Throwable t) {
                LOG.debug("HTTP {} {}: the body ended early: {}", head.method, head.path, t.toString());
                synchronized (monitor) {
                    closeAfter(new HttpError(400, "bad_request", "the request body ended early", true));
                }
            }
        }

        private void bodyTimedOut() {
            synchronized (monitor) {
                if (done) {
                    return;
                }
                LOG.info("HTTP {} {} from {}: the body did not arrive within {}; closing", head.method, head.path,
                        head.remoteAddress, settings.bodyTimeout());
                closeAfter(timeoutAnswer != null ? timeoutAnswer : new HttpError(408, "request_timeout",
                        "the request body did not arrive within " + settings.bodyTimeout(), true));
            }
        }

        /** Answers {@code e} and closes the connection once the answer is written, whatever is left of the body. */
        private void closeAfter(HttpError e) {
            if (answer(e.status, encode(errorBody(e.code, e.getMessage(), null)), Map.of("Connection", "close"))) {
                connection.closeSilently(); // graceful: after the queued answer
            }
        }

        void json(int status, Object body) {
            byte[] bytes;
            try {
                bytes = encode(body);
            } catch (RuntimeException e) {
                LOG.error("HTTP {} {}: encoding the answer failed", head.method, head.path, e);
                fail(new RateHubException(ErrorCode.INTERNAL, "internal error"));
                return;
            }
            answer(status, bytes, Map.of());
        }

        void fail(RuntimeException e) {
            if (e instanceof HttpError h) {
                error(h, Map.of());
            } else if (e instanceof RateHubException r) {
                int status = status(r.code());
                ObjectNode body = errorBody(r.code().wireName(), r.getMessage(),
                        r instanceof ValidationException v ? v.field() : null);
                answer(status, encode(body), refusalHeaders(status));
            } else {
                LOG.error("HTTP {} {} failed", head.method, head.path, e);
                answer(500, encode(errorBody(ErrorCode.INTERNAL.wireName(), "internal error", null)), Map.of());
            }
        }

        void error(HttpError e, Map<String, String> headers) {
            Map<String, String> all = new HashMap<>(headers);
            all.putAll(refusalHeaders(e.status));
            if (e.close) {
                all.put("Connection", "close");
            }
            answer(e.status, encode(errorBody(e.code, e.getMessage(), null)), all);
        }

        /** A refusal before the body was read closes the connection; a 401 names the scheme. */
        private Map<String, String> refusalHeaders(int status) {
            Map<String, String> h = new HashMap<>();
            if (status == 401) {
                h.put("WWW-Authenticate", "Bearer");
            }
            synchronized (monitor) {
                if (head.hasBody() && !bodyRead) {
                    h.put("Connection", "close");
                }
            }
            return h;
        }

        /**
         * Writes the answer and resumes the request, unless it was answered or cancelled already. With
         * {@code Connection: close} and a body not read, Grizzly drops the rest of the body as it arrives and then
         * closes; the body deadline closes the connection if the rest does not come.
         *
         * @return whether this call answered
         */
        boolean answer(int status, byte[] bytes, Map<String, String> headers) {
            boolean unreadBody;
            synchronized (monitor) {
                if (done) {
                    return false;
                }
                done = true;
                if (deadline != null) {
                    deadline.cancel(false);
                }
                unreadBody = head.hasBody() && !bodyRead;
                try {
                    headers.forEach(response::setHeader);
                    write(response, status, bytes);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("HTTP {} {}: writing the answer failed: {}", head.method, head.path, e.toString());
                }
                try {
                    response.resume();
                } catch (RuntimeException e) {
                    LOG.debug("HTTP {} {}: resuming failed: {}", head.method, head.path, e.toString());
                }
            }
            if (unreadBody && "close".equals(headers.get("Connection"))) {
                Connection<?> c = connection;
                service.scheduler().schedule(() -> {
                    if (c.isOpen()) {
                        c.closeSilently();
                    }
                }, settings.bodyTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            return true;
        }

        /** Grizzly gave the request up (its connection closed): nothing may touch it any more. */
        @Override
        public void cancelled() {
            synchronized (monitor) { // Grizzly holds it already
                done = true;
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
        }

        @Override
        public void failed(Throwable throwable) {
        }

        @Override
        public void completed(Response result) {
        }

        @Override
        public void updated(Response result) {
        }
    }

    /** An HTTP-level refusal with its status. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final boolean close;

        HttpError(int status, String code, String message) {
            this(status, code, message, false);
        }

        HttpError(int status, String code, String message, boolean close) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.close = close;
        }
    }
}
