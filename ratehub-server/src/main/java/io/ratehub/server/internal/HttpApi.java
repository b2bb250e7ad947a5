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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on the WebSocket's port: health, status, rates and every command, with the same credentials and
 * authorization as the WebSocket. JSON in and out; every error is a JSON body {@code {code, message, field}} with
 * a 4xx (or 5xx) status. See docs/PROTOCOL.md.
 */
public final class HttpApi extends HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final int MAX_BODY = 1 << 20;
    /**
     * A declared body over {@link #MAX_BODY} but within this is read and dropped before the 413 (with
     * {@code Connection: close}), so that a client still sending reads the answer: closing under an upload makes its
     * TCP stack take a reset that discards the unread answer, and answering without closing lets the client reuse a
     * connection the server is about to close. The server also sets it as Grizzly's limit for skipping bodies its
     * handlers do not read.
     */
    public static final long MAX_SKIPPED_BODY = 16L << 20;
    /** The most time a worker spends dropping such a body (each read also waits at most this long). */
    private static final Duration MAX_DROP_TIME = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final ProtocolService service;
    private final BooleanSupplier ready;
    private final Instant started;
    private final BoardPage board;

    /**
     * @param service the protocol the commands run through
     * @param ready whether the server takes traffic (false while starting or shutting down)
     * @param board the rate board to serve under {@code /board/}, or null for none
     */
    public HttpApi(ProtocolService service, BooleanSupplier ready, BoardPage board) {
        this.service = service;
        this.ready = ready;
        this.started = service.engine().clock().instant();
        this.board = board;
    }

    /**
     * {@code Expect: 100-continue} with a declared body over the limit: the 413 instead of the go-ahead, then the
     * connection is closed (once the answer is written), since the body it announced will not be read.
     */
    @Override
    protected boolean sendAcknowledgment(Request request, Response response) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            error(response, 413, ErrorCode.INVALID_ARGUMENT.wireName(), tooLarge(), null, true);
            response.finish();
            request.getConnection().closeSilently(); // graceful: after the queued answer
            return false;
        }
        return super.sendAcknowledgment(request, response);
    }

    private static String tooLarge() {
        return "body larger than " + MAX_BODY + " bytes";
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        String method = request.getMethod().getMethodString();
        String path = request.getRequestURI();
        try {
            route(method, path, request, response);
        } catch (HttpError e) {
            error(response, e.status, e.code, e.getMessage(), null, e.close);
        } catch (RateHubException e) {
            error(response, status(e.code()), e.code().wireName(), e.getMessage(),
                    e instanceof ValidationException v ? v.field() : null, false);
        } catch (RuntimeException e) {
            LOG.error("HTTP {} {} failed", method, path, e);
            error(response, 500, ErrorCode.INTERNAL.wireName(), "internal error", null, false);
        }
    }

    private void route(String method, String path, Request request, Response response) throws IOException {
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
        if (!path.startsWith("/api/")) {
            throw new HttpError(404, "not_found", "no such resource: " + path);
        }
        Principal p = authenticate(request);
        String[] parts = path.substring(5).split("/", -1);
        boolean isCommand = parts.length == 1 && Command.ofOp(parts[0]) != null;
        boolean isRead = isReadResource(parts);
        if (method.equals("GET")) {
            if (isCommand) {
                throw new HttpError(405, "method_not_allowed", "use POST for the command " + parts[0]);
            }
            get(p, parts, response);
            return;
        }
        if (method.equals("POST") && isRead) {
            throw new HttpError(405, "method_not_allowed", "use GET for " + path);
        }
        if (method.equals("POST") && parts.length == 1) {
            Command command = Command.ofOp(parts[0]);
            if (command == null) {
                throw new HttpError(404, ErrorCode.UNKNOWN_OP.wireName(), "no such command: " + parts[0]);
            }
            JsonNode body = readBody(request);
            Object result = await(service.execute(p, command, body));
            json(response, 200, Map.of("result", result == null ? Map.of() : result));
            return;
        }
        throw new HttpError(405, "method_not_allowed", method + " is not allowed on " + path);
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

    private void get(Principal p, String[] parts, Response response) throws IOException {
        if (parts.length == 1 && parts[0].equals("status")) {
            if (p.role() != Role.ADMIN) {
                throw new RateHubException(ErrorCode.FORBIDDEN, "status is for admins");
            }
            json(response, 200, status());
            return;
        }
        if (parts.length == 1 && parts[0].equals("market")) {
            json(response, 200, Map.of("rates", service.engine().marketRates()));
            return;
        }
        if (parts.length == 3 && parts[0].equals("stores") && parts[2].equals("rates")) {
            String store = parts[1];
            if (!service.authorizer().canSubscribe(p, Channels.storeRates(store))) {
                throw new RateHubException(ErrorCode.FORBIDDEN, p.role() + " " + p.id() + " may not read store "
                        + store);
            }
            json(response, 200, Map.of("storeId", store, "rates", service.engine().storeRates(store)));
            return;
        }
        if (parts.length == 2 && parts[0].equals("locks")) {
            var lock = service.engine().findLock(parts[1])
                    .filter(l -> service.authorizer().canSubscribe(p, Channels.storeLocks(l.storeId())))
                    .orElseThrow(() -> new RateHubException(ErrorCode.LOCK_NOT_FOUND, "no rate lock " + parts[1]));
            json(response, 200, Map.of("lock", lock));
            return;
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

    private Principal authenticate(Request request) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        for (String name : List.of("Authorization", "X-Api-Key")) {
            String v = request.getHeader(name);
            if (v != null) {
                headers.put(name, List.of(v));
            }
        }
        Object creds = HandshakeCredentials.from(headers, request.getRemoteAddr());
        if (!(creds instanceof Credentials c)) {
            throw new AuthenticationException("send Authorization: Bearer <token> or X-Api-Key: <key>");
        }
        Principal p = service.authenticator().authenticate(c);
        if (p == null) {
            throw new AuthenticationException("credentials refused");
        }
        return p;
    }

    private JsonNode readBody(Request request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY) {
            if (declared <= MAX_SKIPPED_BODY) {
                drop(request.getInputStream(), declared, request.getConnection());
            }
            throw new HttpError(413, ErrorCode.INVALID_ARGUMENT.wireName(), tooLarge(), true);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = request.getInputStream()) {
            if (declared >= 0) {
                // Read exactly the declared length: on a kept-alive connection the stream does not end there.
                buf.write(in.readNBytes((int) declared));
            } else {
                byte[] chunk = new byte[8192];
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    buf.write(chunk, 0, n);
                    if (buf.size() > MAX_BODY) {
                        // A chunked body has no end to skip to: the connection is closed after the answer.
                        throw new HttpError(413, ErrorCode.INVALID_ARGUMENT.wireName(), tooLarge(), true);
                    }
                }
            }
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "body", "", "must be a JSON object");
        }
        JsonNode node;
        try {
            node = service.codec().readTree(text);
        } catch (ValidationException e) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "body", text.length() > 60
                    ? text.substring(0, 60) + "..." : text, "is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ValidationException(ErrorCode.INVALID_JSON, "body", text.length() > 60
                    ? text.substring(0, 60) + "..." : text, "must be a JSON object");
        }
        return node;
    }

    /**
     * Reads and drops the declared body, for at most {@link #MAX_DROP_TIME} (a client that sends slower than that
     * gets the answer anyway, and the close may then reach it as a reset).
     */
    private static void drop(InputStream body, long length, org.glassfish.grizzly.Connection<?> connection) {
        long deadline = System.nanoTime() + MAX_DROP_TIME.toNanos();
        connection.setReadTimeout(MAX_DROP_TIME.toMillis(), TimeUnit.MILLISECONDS);
        byte[] scratch = new byte[8192];
        long left = length;
        try (InputStream in = body) {
            while (left > 0 && System.nanoTime() < deadline) {
                int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
        } catch (IOException e) {
            LOG.debug("dropping an over-large body ended early: {}", e.toString());
        }
    }

    private static Object await(java.util.concurrent.CompletionStage<Object> stage) {
        try {
            return stage.toCompletableFuture().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RateHubException r) {
                throw r;
            }
            throw new RateHubException(ErrorCode.INTERNAL, "request failed", e.getCause());
        } catch (TimeoutException e) {
            throw new HttpError(504, ErrorCode.INTERNAL.wireName(), "request timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, ErrorCode.INTERNAL.wireName(), "interrupted");
        }
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

    private void json(Response response, int status, Object body) throws IOException {
        byte[] bytes = service.codec().encode(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private void error(Response response, int status, String code, String message, String field, boolean close)
            throws IOException {
        ObjectNode n = service.codec().newObject();
        n.put("code", code);
        n.put("message", message);
        if (field != null) {
            n.put("field", field);
        }
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        if (close) {
            response.setHeader("Connection", "close");
        }
        json(response, status, n);
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
