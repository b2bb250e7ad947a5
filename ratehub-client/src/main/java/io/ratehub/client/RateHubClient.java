package io.ratehub.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratehub.client.internal.SerialExecutor;
import io.ratehub.client.internal.TyrusTransport;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.StaleRateException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.codec.JsonCodec;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.hub.ChannelKind;
import io.ratehub.core.hub.Channels;
import io.ratehub.core.internal.Require;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import io.ratehub.core.protocol.CloseCodes;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed Java client of a ratehub server: connects, authenticates, subscribes, keeps a live rate cache, and
 * sends commands, surviving network trouble on its own.
 *
 * <pre>{@code
 * RateHubClient client = RateHubClient.builder()
 *         .uri(URI.create("ws://hub.example.com:8080/ratehub"))
 *         .apiKey(System.getenv("RATEHUB_KEY"))
 *         .build();
 * client.onStateChange(state -> log.info("ratehub: {}", state.status()));
 * client.connect().get(10, SECONDS);
 * client.subscribeStoreRates("downtown", event -> repaint());
 * LiveRate usdCad = client.rate("downtown", CurrencyPair.parse("USD/CAD")).orElseThrow();
 * if (usdCad.live()) {
 *     RateLock lock = client.lock("downtown", usdCad.rate().pair(), Side.SELL, new BigDecimal("1000.00")).get();
 *     client.completeLock(lock.lockId(), "tx-1001").get();
 * }
 * }</pre>
 *
 * <p><b>Connection.</b> States CONNECTING, CONNECTED, RECONNECTING (with attempt and delay) and CLOSED, reported to
 * {@link #onStateChange} listeners. A lost link is reopened with exponential backoff and jitter
 * ({@link ReconnectPolicy}); refused credentials (close 4001) and {@link #close()} end the client for good. The
 * client pings a link it has heard nothing from for {@link Builder#heartbeatInterval} (WebSocket pings, which the
 * server answers by itself), so a healthy link is always heard from; a link silent for
 * {@link Builder#deadLinkTimeout} is dead even when TCP has not noticed, and is dropped and reopened. Every
 * subscription sent on a link must be acknowledged within {@link Builder#subscribeAckTimeout}, or the link is
 * reopened too.
 *
 * <p><b>Recovery.</b> The client remembers each channel's epoch and last sequence number and resubscribes from them
 * after a reconnect: each event of an event channel reaches listeners once and in order (duplicates are dropped,
 * losses reported through {@link ChannelListener#onGap}), and a state channel never goes back to an older value.
 *
 * <p><b>Rates.</b> {@link #rate} answers from a local cache of every subscribed store's rates, and says whether a
 * rate may be quoted: not while disconnected, not before its subscription is caught up on the current link, not when
 * the hub marks it stale, not after its override ended, and not when nothing has been heard on the link for longer
 * than the liveness bound {@link Builder#livenessTimeout} (5 s by default).
 *
 * <p><b>Commands</b> return {@link CompletableFuture}s that fail with {@link RateHubException}s carrying the
 * server's error code. While disconnected they fail at once with {@link ErrorCode#NOT_CONNECTED}, unless
 * {@link Builder#waitForConnection} is set; a command whose link drops before its reply fails with
 * {@link ErrorCode#CONNECTION_LOST}: commands are never resent by the client. {@link #lock} always carries a request
 * id, so repeating it with the same id after such a failure can never lock twice.
 *
 * <p><b>Threading.</b> Thread-safe. The client's own work runs on one event-loop thread (or the scheduler given to
 * the builder); listeners run on the listener executor, one at a time and in order, never on an I/O thread.
 */
public final class RateHubClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RateHubClient.class);

    private final URI uri;
    private final Map<String, String> headers;
    private final Map<String, String> authMessage;
    private final ClientTransport transport;
    private final ScheduledExecutorService loop;
    private final boolean ownLoop;
    private final Executor listeners;
    private final ReconnectPolicy reconnect;
    private final Duration livenessTimeout;
    private final Duration heartbeatInterval;
    private final Duration deadLinkTimeout;
    private final Duration requestTimeout;
    private final Duration subscribeAckTimeout;
    private final Duration waitForConnection;
    private final Clock clock;
    private final JsonCodec codec;
    private final Random random;

    // Everything below is touched on the event loop only, unless noted.
    private ConnectionState state = ConnectionState.connecting();
    private ClientTransport.Link link;
    // Messages of the link being opened that arrived before its open future completed; null when none is opening.
    private List<String> early;
    private long generation;
    private int attempt;
    private boolean authenticated;
    private boolean closedByUser;
    private long commandIds;
    private Instant lastReceived = Instant.EPOCH;
    private Instant lastPing = Instant.EPOCH;
    private ScheduledFuture<?> heartbeat;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final List<Runnable> waitingForConnection = new ArrayList<>();
    private final Map<String, Sub> subs = new LinkedHashMap<>();
    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    private final List<Consumer<ConnectionState>> stateListeners = new CopyOnWriteArrayList<>();
    // Read from any thread.
    private final Map<String, Map<CurrencyPair, StoreRate>> storeRates = new ConcurrentHashMap<>();
    private final Map<CurrencyPair, MarketRate> marketRates = new ConcurrentHashMap<>();
    private volatile ConnectionState published = state;
    private volatile Instant lastReceivedPublished = Instant.EPOCH;
    // Channels acknowledged and caught up on the current link: a cached rate is live only when its channel is.
    private final Set<String> caughtUp = ConcurrentHashMap.newKeySet();

    private record Pending(String resultField, Class<?> type, CompletableFuture<Object> future,
                           ScheduledFuture<?> timeout) {
    }

    /** One wire subscription, shared by every listener of its channel. */
    private final class Sub {
        final String channel;
        final ChannelKind kind;
        final boolean events; // values are RateEvents (ratehub channels) rather than JSON trees
        final List<ChannelListener<Object>> listeners = new CopyOnWriteArrayList<>();
        String epoch;
        long lastSeq;
        boolean privateBox;
        int catchUp;
        long headAtSubscribe;
        String pendingId; // id of the subscribe sent on the current link and not yet acknowledged
        int catchUpLeft; // updates of the current catch-up still to come (every channel kind)
        boolean sent; // a subscribe went out on the current link
        final Set<Long> seenInCatchUp = new HashSet<>();
        final CompletableFuture<Void> ready = new CompletableFuture<>();

        Sub(String channel) {
            this.channel = channel;
            this.kind = Channels.kindOf(channel);
            this.events = !(channel.startsWith("app:") || channel.startsWith("user:") || channel.equals("system"));
            this.privateBox = channel.startsWith("user:");
        }
    }

    private RateHubClient(Builder b) {
        this.uri = b.uri;
        this.headers = Map.copyOf(b.headers);
        this.authMessage = b.authMessage == null ? null : Map.copyOf(b.authMessage);
        this.transport = b.transport != null ? b.transport : new TyrusTransport();
        this.ownLoop = b.scheduler == null;
        this.loop = ownLoop ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratehub-client");
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
        Executor base = b.listenerExecutor != null ? b.listenerExecutor : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ratehub-client-listeners");
            t.setDaemon(true);
            return t;
        });
        this.listeners = new SerialExecutor(base);
        this.reconnect = b.reconnect;
        this.livenessTimeout = b.livenessTimeout;
        this.heartbeatInterval = b.heartbeatInterval();
        this.deadLinkTimeout = b.deadLinkTimeout();
        this.requestTimeout = b.requestTimeout;
        this.subscribeAckTimeout = b.subscribeAckTimeout;
        this.waitForConnection = b.waitForConnection;
        this.clock = b.clock;
        this.codec = JsonCodec.create();
        this.random = b.random;
    }

    /** A builder; {@link Builder#uri} and credentials are required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- connection

    /**
     * Starts connecting (once; later calls return the same future).
     *
     * @return completes when the client is first connected and authenticated, or exceptionally when it closes first
     */
    public CompletableFuture<Void> connect() {
        loop.execute(() -> {
            if (link == null && generation == 0 && !closedByUser) {
                openLink();
            }
        });
        return firstConnection;
    }

    /** The connection's state now. */
    public ConnectionState state() {
        return published;
    }

    /** Adds a state listener (called on the listener executor); the returned handle removes it. */
    public Subscription onStateChange(Consumer<ConnectionState> listener) {
        stateListeners.add(Require.notNull("listener", listener));
        return new Subscription() {
            @Override
            public void cancel() {
                stateListeners.remove(listener);
            }

            @Override
            public CompletableFuture<Void> ready() {
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    private void setState(ConnectionState s) {
        state = s;
        published = s;
        for (Consumer<ConnectionState> l : stateListeners) {
            listeners.execute(() -> l.accept(s));
        }
    }

    private void openLink() {
        long gen = ++generation;
        authenticated = false;
        // Messages can reach the listener before open() returns or before its future completes (the handshake
        // finished first): they wait here and are handled, in order, once the link is recorded.
        List<String> buffer = new ArrayList<>();
        early = buffer;
        transport.open(uri, headers, new ClientTransport.Listener() {
            @Override
            public void onText(String text) {
                loop.execute(() -> {
                    if (gen != generation) {
                        return;
                    }
                    if (early == buffer) {
                        buffer.add(text);
                    } else {
                        received(text);
                    }
                });
            }

            @Override
            public void onPong() {
                loop.execute(() -> {
                    if (gen == generation) {
                        heard();
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                loop.execute(() -> {
                    if (gen == generation) {
                        linkLost(code, reason);
                    }
                });
            }
        }).whenComplete((l, error) -> loop.execute(() -> {
            if (gen != generation) {
                if (l != null) {
                    l.close(CloseCodes.NORMAL, "superseded");
                }
                return;
            }
            early = null;
            if (error != null) {
                LOG.debug("ratehub: could not open a link to {}: {}", uri, error.toString());
                linkLost(1006, "could not connect: " + rootMessage(error));
                return;
            }
            link = l;
            heard();
            startHeartbeat(); // from the start: a silent link is dead even before its welcome
            loop.schedule(() -> {
                if (gen == generation && link == l && !authenticated && !closedByUser) {
                    LOG.info("ratehub: no welcome within {}; reopening the link", deadLinkTimeout);
                    linkLost(1006, "no welcome within " + deadLinkTimeout);
                    l.close(CloseCodes.NORMAL, "no welcome");
                }
            }, deadLinkTimeout.toNanos(), TimeUnit.NANOSECONDS);
            if (authMessage != null) {
                ObjectNode auth = codec.newObject();
                auth.put("op", "auth");
                authMessage.forEach(auth::put);
                sendRaw(auth);
            }
            for (String text : buffer) {
                if (gen != generation) {
                    break; // a message of the buffer ended the link
                }
                received(text);
            }
        }));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void linkLost(int code, String reason) {
        link = null;
        early = null;
        authenticated = false;
        caughtUp.clear();
        for (Sub s : subs.values()) {
            s.pendingId = null;
            s.sent = false;
            s.catchUpLeft = 0;
        }
        stopHeartbeat();
        failPending(new RateHubException(ErrorCode.CONNECTION_LOST,
                "the connection was lost before the reply (" + code + " " + reason + "); the outcome is unknown"));
        if (closedByUser) {
            return;
        }
        if (code == CloseCodes.UNAUTHENTICATED) {
            close(code, "authentication refused: " + reason);
            return;
        }
        attempt++;
        if (!reconnect.allows(attempt)) {
            close(code, "gave up after " + (attempt - 1) + " reconnect attempts");
            return;
        }
        Duration delay = reconnect.delay(attempt, random);
        setState(ConnectionState.reconnecting(attempt, delay, code, reason));
        long gen = ++generation; // links of the old generation are ignored from now on
        loop.schedule(() -> {
            if (gen == generation && !closedByUser) {
                openLink();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void close(int code, String reason) {
        closedByUser = true;
        caughtUp.clear();
        generation++;
        stopHeartbeat();
        failPending(new RateHubException(ErrorCode.NOT_CONNECTED, "the client is closed: " + reason));
        for (Runnable r : waitingForConnection) {
            r.run();
        }
        waitingForConnection.clear();
        for (Sub s : subs.values()) {
            s.ready.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED, "the client is closed"));
        }
        setState(ConnectionState.closed(code, reason));
        firstConnection.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED,
                "closed before connecting: " + reason));
    }

    /** Closes the client for good: no reconnect; pending commands fail with {@link ErrorCode#NOT_CONNECTED}. */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (!closedByUser) {
                ClientTransport.Link l = link;
                link = null;
                close(CloseCodes.NORMAL, "closed by the application");
                if (l != null) {
                    l.close(CloseCodes.NORMAL, "client closed");
                }
            }
            done.complete(null);
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("ratehub: close did not finish in time", e);
        }
        if (ownLoop) {
            loop.shutdown();
        }
    }

    // ---------------------------------------------------------------- incoming

    /** Something (a message or a pong) arrived on the current link: it is alive now. */
    private void heard() {
        lastReceived = clock.instant();
        lastReceivedPublished = lastReceived;
    }

    private void received(String text) {
        heard();
        JsonNode msg;
        try {
            msg = codec.readTree(text);
        } catch (ValidationException e) {
            LOG.warn("ratehub: a message that is not JSON was ignored");
            return;
        }
        String type = msg.path("type").asText();
        switch (type) {
            case "welcome" -> welcomed();
            case "subscribed" -> subscribed(msg);
            case "update" -> update(msg);
            case "batch" -> msg.path("updates").forEach(this::update);
            case "reply" -> reply(msg);
            case "error" -> error(msg);
            case "pong", "unsubscribed" -> {
                // life sign only
            }
            default -> LOG.debug("ratehub: unknown message type {} ignored", type);
        }
    }

    private void welcomed() {
        authenticated = true;
        attempt = 0;
        setState(ConnectionState.connected());
        for (Sub s : subs.values()) {
            sendSubscribe(s);
        }
        List<Runnable> waiting = new ArrayList<>(waitingForConnection);
        waitingForConnection.clear();
        waiting.forEach(Runnable::run);
        firstConnection.complete(null);
    }

    private void sendSubscribe(Sub s) {
        String id = "s" + (++commandIds);
        ObjectNode m = codec.newObject();
        m.put("op", "subscribe");
        m.put("id", id);
        m.put("channel", s.channel);
        if (s.epoch != null) {
            ObjectNode from = m.putObject("from");
            from.put("epoch", s.epoch);
            from.put("seq", s.lastSeq);
        }
        ClientTransport.Link l = link;
        if (!sendRaw(m)) {
            // Not lost: the subscription stays in place and goes out with the next link's welcome.
            LOG.warn("ratehub: no link to subscribe to {} on; it is sent when the next link is welcomed", s.channel);
            return;
        }
        s.pendingId = id;
        s.sent = true;
        loop.schedule(() -> {
            if (id.equals(s.pendingId) && subs.get(s.channel) == s && link == l && !closedByUser) {
                LOG.warn("ratehub: the subscription to {} was not acknowledged within {}; reopening the link",
                        s.channel, subscribeAckTimeout);
                linkLost(1006, "subscribe " + s.channel + " not acknowledged within " + subscribeAckTimeout);
                l.close(CloseCodes.NORMAL, "subscription not acknowledged");
            }
        }, subscribeAckTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void subscribed(JsonNode msg) {
        Sub s = subs.get(msg.path("channel").asText());
        if (s == null) {
            return;
        }
        if (msg.hasNonNull("id") && !msg.path("id").asText().equals(s.pendingId)) {
            return; // the answer to an earlier subscribe of the channel (cancelled and subscribed again)
        }
        s.pendingId = null;
        String recovery = msg.path("recovery").asText();
        String epoch = msg.path("epoch").asText();
        long head = msg.path("seq").asLong();
        int count = msg.path("count").asInt();
        switch (recovery) {
            case "SNAPSHOT", "RESET" -> {
                boolean reset = recovery.equals("RESET") || s.epoch != null;
                s.epoch = epoch;
                s.lastSeq = 0;
                if (reset) {
                    clearCache(s.channel);
                    dispatch(s, l -> l.onReset(s.channel));
                }
            }
            case "LIVE" -> {
                s.epoch = epoch;
                s.lastSeq = head;
            }
            case "LOST" -> {
                long from = msg.path("lostFrom").asLong(0);
                long to = msg.path("lostTo").asLong(0);
                s.epoch = epoch;
                // Reported once here: the events still held start after the lost range. No range: a new epoch,
                // what was lost is unknown, and the next event is taken as it comes.
                s.lastSeq = to > 0 ? to : 0;
                dispatch(s, l -> l.onGap(s.channel, from, to));
            }
            default -> s.epoch = epoch; // DELTA, REPLAY: the position stands
        }
        s.headAtSubscribe = head;
        s.catchUp = s.privateBox ? count : 0;
        s.seenInCatchUp.clear();
        if (s.privateBox && count == 0) {
            s.lastSeq = Math.max(s.lastSeq, head);
        }
        caughtUp.remove(s.channel);
        s.catchUpLeft = count;
        if (count == 0) {
            caughtUp(s);
        }
    }

    /**
     * The channel's catch-up is in the cache: its rates may be live, and {@link Subscription#ready()} completes, on
     * the listener executor so that the listeners have had every catch-up update before it.
     */
    private void caughtUp(Sub s) {
        caughtUp.add(s.channel);
        listeners.execute(() -> s.ready.complete(null));
    }

    private void update(JsonNode u) {
        Sub s = subs.get(u.path("channel").asText());
        if (s == null) {
            return; // unsubscribed meanwhile
        }
        apply(s, u);
        // The first `count` updates of the channel after `subscribed` are its catch-up (PROTOCOL.md: they come
        // before any live update; a newer value replacing a queued one still counts once).
        if (s.catchUpLeft > 0 && --s.catchUpLeft == 0 && subs.get(s.channel) == s) {
            caughtUp(s);
        }
    }

    private void apply(Sub s, JsonNode u) {
        long seq = u.path("seq").asLong();
        if (s.privateBox && s.catchUp > 0) {
            s.catchUp--;
            if (s.seenInCatchUp.add(seq) && seq > s.lastSeq) {
                deliver(s, u);
            }
            if (s.catchUp == 0) {
                s.lastSeq = Math.max(s.lastSeq, s.headAtSubscribe);
                s.seenInCatchUp.clear();
            }
            return;
        }
        if (seq <= s.lastSeq) {
            return; // already seen (a duplicate, or an older value of a state key)
        }
        if (s.kind == ChannelKind.EVENT && s.lastSeq > 0 && seq > s.lastSeq + 1) {
            long from = s.lastSeq + 1;
            dispatch(s, l -> l.onGap(s.channel, from, seq - 1));
        }
        s.lastSeq = seq;
        deliver(s, u);
    }

    private void deliver(Sub s, JsonNode u) {
        JsonNode eventNode = u.path("event");
        Object value;
        if (s.events) {
            RateEvent e;
            try {
                e = codec.treeToValue(eventNode, RateEvent.class);
            } catch (RateHubException ex) {
                LOG.warn("ratehub: an event this client cannot read was skipped on {}: {}", s.channel, ex.getMessage());
                return;
            }
            cache(s.channel, e, u.path("removed").asBoolean(false));
            value = e;
        } else {
            value = eventNode;
        }
        dispatch(s, l -> l.onUpdate(value));
    }

    private void cache(String channel, RateEvent e, boolean removed) {
        if (e instanceof RateEvent.StoreRateUpdated r) {
            storeRates.computeIfAbsent(r.storeId(), k -> new ConcurrentHashMap<>()).put(r.pair(), r.rate());
        } else if (removed && e instanceof RateEvent.StoreEvent se) {
            Map<CurrencyPair, StoreRate> m = storeRates.get(se.storeId());
            if (m != null) {
                m.remove(se.pair());
            }
        } else if (e instanceof RateEvent.MarketRateUpdated m) {
            marketRates.put(m.pair(), m.rate());
        }
    }

    private void clearCache(String channel) {
        String store = Channels.storeOf(channel);
        if (store != null && channel.endsWith(":rates")) {
            storeRates.remove(store);
        } else if (channel.equals(Channels.MARKET)) {
            marketRates.clear();
        }
    }

    private void dispatch(Sub s, Consumer<ChannelListener<Object>> call) {
        for (ChannelListener<Object> l : s.listeners) {
            listeners.execute(() -> {
                try {
                    call.accept(l);
                } catch (RuntimeException ex) {
                    LOG.error("ratehub: a listener of {} failed; the client carries on", s.channel, ex);
                }
            });
        }
    }

    private void reply(JsonNode msg) {
        Pending p = pending.remove(msg.path("id").asText());
        if (p == null) {
            return;
        }
        p.timeout().cancel(false);
        try {
            JsonNode result = msg.path("result");
            Object value = p.resultField() == null ? result
                    : codec.treeToValue(result.path(p.resultField()), p.type());
            p.future().complete(value);
        } catch (RuntimeException e) {
            p.future().completeExceptionally(e);
        }
    }

    private void error(JsonNode msg) {
        RateHubException e = toException(msg);
        String id = msg.hasNonNull("id") ? msg.path("id").asText() : null;
        Pending p = id != null ? pending.remove(id) : null;
        Sub refused = null;
        if (id != null) {
            for (Sub s : subs.values()) {
                if (id.equals(s.pendingId)) {
                    refused = s;
                }
            }
        }
        if (p != null) {
            p.timeout().cancel(false);
            p.future().completeExceptionally(e);
        } else if (refused != null) {
            // The server refused the subscription (forbidden, limit_exceeded, ...): it ends here, visibly.
            LOG.warn("ratehub: the subscription to {} was refused: {} {}", refused.channel, e.code().wireName(),
                    e.getMessage());
            subs.remove(refused.channel);
            caughtUp.remove(refused.channel);
            clearCache(refused.channel);
            refused.pendingId = null;
            refused.ready.completeExceptionally(e);
        } else {
            LOG.warn("ratehub: server error {}: {}", e.code().wireName(), e.getMessage());
        }
    }

    static RateHubException toException(JsonNode msg) {
        ErrorCode code = ErrorCode.ofWireName(msg.path("code").asText());
        String message = msg.path("message").asText(code.wireName());
        if (msg.hasNonNull("field")) {
            return ValidationException.fromWire(code, msg.path("field").asText(), message);
        }
        return switch (code) {
            case LOCK_NOT_FOUND, LOCK_EXPIRED, LOCK_CANCELLED, LOCK_ALREADY_COMPLETED ->
                    new LockStateException(code, null, message);
            case STALE_RATE -> new StaleRateException(message);
            default -> new RateHubException(code, message);
        };
    }

    // ---------------------------------------------------------------- heartbeat

    private void startHeartbeat() {
        stopHeartbeat();
        long every = Math.max(1, heartbeatInterval.toNanos() / 2); // a ping leaves within 1.5 intervals of silence
        lastPing = Instant.EPOCH;
        heartbeat = loop.scheduleAtFixedRate(this::beat, every, every, TimeUnit.NANOSECONDS);
    }

    private void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    /**
     * Keeps an idle link audible: when nothing has been heard for the heartbeat interval the client pings (a
     * WebSocket ping, whose pong the server's WebSocket stack sends by itself; {@code {"op":"ping"}} only on a
     * transport that cannot ping), so that a live link is heard from well within the liveness bound, and a link
     * silent for the dead-link timeout is dropped and reopened.
     */
    private void beat() {
        ClientTransport.Link l = link;
        if (l == null || closedByUser) {
            return;
        }
        Instant now = clock.instant();
        Duration silent = Duration.between(lastReceived, now);
        if (silent.compareTo(deadLinkTimeout) > 0) {
            LOG.info("ratehub: nothing received for {}; the link is dead, reconnecting", deadLinkTimeout);
            linkLost(CloseCodes.HEARTBEAT_TIMEOUT, "link silent for " + deadLinkTimeout);
            l.close(CloseCodes.HEARTBEAT_TIMEOUT, "dead link");
            return;
        }
        if (silent.compareTo(heartbeatInterval) < 0 || Duration.between(lastPing, now).compareTo(heartbeatInterval) < 0) {
            return; // heard recently, or a ping is already on its way
        }
        lastPing = now;
        if (!l.ping()) {
            ObjectNode ping = codec.newObject();
            ping.put("op", "ping");
            sendRaw(ping);
        }
    }

    // ---------------------------------------------------------------- subscriptions

    /** Subscribes to a store's rates; they also fill the rate cache behind {@link #rate}. */
    public Subscription subscribeStoreRates(String storeId, ChannelListener<RateEvent> listener) {
        return subscribe(Channels.storeRates(storeId), listener);
    }

    /** Subscribes to a store's alerts (threshold breaches, overrides, spreads). */
    public Subscription subscribeStoreAlerts(String storeId, ChannelListener<RateEvent> listener) {
        return subscribe(Channels.storeAlerts(storeId), listener);
    }

    /** Subscribes to a store's rate locks. */
    public Subscription subscribeLocks(String storeId, ChannelListener<RateEvent> listener) {
        return subscribe(Channels.storeLocks(storeId), listener);
    }

    /** Subscribes to the aggregated market rates; they also fill {@link #marketRate}. */
    public Subscription subscribeMarket(ChannelListener<RateEvent> listener) {
        return subscribe(Channels.MARKET, listener);
    }

    /** Subscribes to market alerts (stale sources and pairs, outliers). */
    public Subscription subscribeMarketAlerts(ChannelListener<RateEvent> listener) {
        return subscribe(Channels.MARKET_ALERTS, listener);
    }

    /** Subscribes to a user's private messages (JSON trees). */
    public Subscription subscribeUser(String userId, ChannelListener<JsonNode> listener) {
        return subscribe(Channels.user(userId), listener);
    }

    /** Subscribes to an application channel (JSON trees). */
    public Subscription subscribeApp(String name, ChannelListener<JsonNode> listener) {
        return subscribe(Channels.app(name), listener);
    }

    /**
     * Subscribes to any channel by name (see docs/PROTOCOL.md). Values are {@link RateEvent}s on ratehub's own
     * channels and JSON trees ({@link JsonNode}) on {@code user:}, {@code app:} and {@code system}.
     *
     * @throws ValidationException for a name that is not a channel
     */
    public Subscription subscribeChannel(String channel, ChannelListener<Object> listener) {
        return subscribe(channel, listener);
    }

    @SuppressWarnings("unchecked")
    private <T> Subscription subscribe(String channel, ChannelListener<T> listener) {
        Require.notNull("listener", listener);
        ChannelListener<Object> l = (ChannelListener<Object>) listener;
        Channels.kindOf(channel);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        loop.execute(() -> {
            if (closedByUser) {
                ready.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED, "the client is closed"));
                return;
            }
            Sub s = subs.get(channel);
            if (s == null) {
                s = new Sub(channel);
                subs.put(channel, s);
                s.listeners.add(l);
                if (authenticated) {
                    sendSubscribe(s);
                }
            } else {
                s.listeners.add(l);
            }
            s.ready.whenComplete((v, e) -> {
                if (e == null) {
                    ready.complete(null);
                } else {
                    ready.completeExceptionally(e);
                }
            });
        });
        return new Subscription() {
            @Override
            public void cancel() {
                loop.execute(() -> {
                    Sub s = subs.get(channel);
                    if (s != null && s.listeners.remove(l) && s.listeners.isEmpty()) {
                        subs.remove(channel);
                        caughtUp.remove(channel);
                        clearCache(channel);
                        if (authenticated) {
                            ObjectNode m = codec.newObject();
                            m.put("op", "unsubscribe");
                            m.put("channel", channel);
                            sendRaw(m);
                        }
                    }
                });
            }

            @Override
            public CompletableFuture<Void> ready() {
                return ready;
            }
        };
    }

    // ---------------------------------------------------------------- the rate cache

    /**
     * The last rate received for a store and pair, and whether it may be quoted now. It is not live while the client
     * is not connected, before the store's subscription is caught up on the current link, when the hub marks it
     * stale, after its override ended, or when nothing has been heard on the link for longer than
     * {@link Builder#livenessTimeout} (5 s by default; the reason then starts with "link silent").
     */
    public Optional<LiveRate> rate(String storeId, CurrencyPair pair) {
        Map<CurrencyPair, StoreRate> m = storeRates.get(storeId);
        StoreRate r = m == null ? null : m.get(pair);
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(judge(r));
    }

    /** Every cached rate of a store, each with its liveness. */
    public List<LiveRate> rates(String storeId) {
        Map<CurrencyPair, StoreRate> m = storeRates.get(storeId);
        List<LiveRate> out = new ArrayList<>();
        if (m != null) {
            m.values().stream().sorted(java.util.Comparator.comparing(r -> r.pair().toString()))
                    .forEach(r -> out.add(judge(r)));
        }
        return out;
    }

    /** The last market rate received for a pair (subscribe to the market first). */
    public Optional<MarketRate> marketRate(CurrencyPair pair) {
        return Optional.ofNullable(marketRates.get(pair));
    }

    private LiveRate judge(StoreRate r) {
        Instant now = clock.instant();
        ConnectionState s = published;
        if (s.status() != ConnectionState.Status.CONNECTED) {
            return new LiveRate(r, false, "not connected (" + s.status() + ")");
        }
        if (!caughtUp.contains(Channels.storeRates(r.storeId()))) {
            return new LiveRate(r, false, "not yet confirmed on this link (catching up "
                    + Channels.storeRates(r.storeId()) + ")");
        }
        if (r.stale()) {
            return new LiveRate(r, false, "the market for " + r.pair() + " is stale");
        }
        if (r.validUntil() != null && !now.isBefore(r.validUntil())) {
            return new LiveRate(r, false, "the override ended at " + r.validUntil());
        }
        Duration silent = Duration.between(lastReceivedPublished, now);
        if (silent.compareTo(livenessTimeout) > 0) {
            return new LiveRate(r, false, "link silent: nothing heard from the hub for " + silent
                    + " (liveness bound " + livenessTimeout + ")");
        }
        return new LiveRate(r, true, null);
    }

    // ---------------------------------------------------------------- commands

    /** Sets a store's spread rule for a pair; completes with the store's rate (null before a market rate exists). */
    public CompletableFuture<StoreRate> setSpread(String storeId, CurrencyPair pair, SpreadRule rule) {
        ObjectNode args = storePair(storeId, pair);
        args.put("unit", rule.unit().name());
        args.put("buyMargin", rule.buyMargin().toPlainString());
        args.put("sellMargin", rule.sellMargin().toPlainString());
        putDecimal(args, "minMargin", rule.minMargin());
        putDecimal(args, "maxMargin", rule.maxMargin());
        return command("set_spread", args, "rate", StoreRate.class);
    }

    /** Sets a store's rate by hand; {@code validUntil} may be null for the server's default window. */
    public CompletableFuture<RateOverride> setOverride(String storeId, CurrencyPair pair, BigDecimal buy,
                                                       BigDecimal sell, String reason, Instant validUntil,
                                                       boolean force) {
        ObjectNode args = storePair(storeId, pair);
        putDecimal(args, "buy", Require.notNull("buy", buy));
        putDecimal(args, "sell", Require.notNull("sell", sell));
        args.put("reason", Require.text("reason", reason));
        if (validUntil != null) {
            args.put("validUntil", validUntil.toString());
        }
        if (force) {
            args.put("force", true);
        }
        return command("set_override", args, "override", RateOverride.class);
    }

    /** Clears a store's override; completes with whether there was one. */
    public CompletableFuture<Boolean> clearOverride(String storeId, CurrencyPair pair, String reason) {
        ObjectNode args = storePair(storeId, pair);
        args.put("reason", Require.text("reason", reason));
        return command("clear_override", args, "cleared", Boolean.class);
    }

    /** Sets an alert rule. */
    public CompletableFuture<ThresholdRule> setThreshold(ThresholdRule rule) {
        ObjectNode args = storePair(rule.storeId(), rule.pair());
        args.put("kind", rule.kind().name());
        putDecimal(args, "percent", rule.percent());
        putDecimal(args, "clearPercent", rule.clearPercent());
        if (rule.window() != null) {
            args.put("window", rule.window().toString());
        }
        return command("set_threshold", args, "rule", ThresholdRule.class);
    }

    /** Locks a store's current rate with a fresh request id (see {@link #lock(String, CurrencyPair, Side, BigDecimal, Duration, String)}). */
    public CompletableFuture<RateLock> lock(String storeId, CurrencyPair pair, Side side, BigDecimal amount) {
        return lock(storeId, pair, side, amount, null, "r-" + UUID.randomUUID());
    }

    /**
     * Locks a store's current rate. The request id makes the lock idempotent: when the future fails with
     * {@link ErrorCode#CONNECTION_LOST}, call again with the same id to get the lock that may have been made.
     *
     * @param ttl how long it holds, or {@code null} for the server's default
     */
    public CompletableFuture<RateLock> lock(String storeId, CurrencyPair pair, Side side, BigDecimal amount,
                                            Duration ttl, String requestId) {
        ObjectNode args = storePair(storeId, pair);
        args.put("side", Require.notNull("side", side).name());
        putDecimal(args, "amount", Require.notNull("amount", amount));
        if (ttl != null) {
            args.put("ttl", ttl.toString());
        }
        args.put("requestId", Require.id("requestId", requestId));
        return command("lock", args, "lock", RateLock.class);
    }

    /** Completes a lock; repeating it with the same transaction reference is harmless. */
    public CompletableFuture<RateLock> completeLock(String lockId, String transactionRef) {
        ObjectNode args = codec.newObject();
        args.put("lockId", Require.id("lockId", lockId));
        args.put("transactionRef", Require.id("transactionRef", transactionRef));
        return command("complete_lock", args, "lock", RateLock.class);
    }

    /** Cancels a lock. */
    public CompletableFuture<RateLock> cancelLock(String lockId, String reason) {
        ObjectNode args = codec.newObject();
        args.put("lockId", Require.id("lockId", lockId));
        args.put("reason", Require.text("reason", reason));
        return command("cancel_lock", args, "lock", RateLock.class);
    }

    /** Sends an application request; completes with the handler's result as a JSON tree. */
    public CompletableFuture<JsonNode> request(String name, Object body) {
        ObjectNode args = codec.newObject();
        args.put("name", Require.id("name", name));
        if (body != null) {
            args.set("body", codec.valueToTree(body));
        }
        return command("request", args, null, JsonNode.class);
    }

    private ObjectNode storePair(String storeId, CurrencyPair pair) {
        ObjectNode args = codec.newObject();
        args.put("storeId", Require.id("storeId", storeId));
        args.put("pair", Require.notNull("pair", pair).toString());
        return args;
    }

    private static void putDecimal(ObjectNode n, String field, BigDecimal v) {
        if (v != null) {
            n.put(field, v.toPlainString());
        }
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> command(String op, ObjectNode args, String resultField, Class<T> type) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        loop.execute(() -> {
            if (closedByUser) {
                future.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED, "the client is closed"));
            } else if (authenticated) {
                send(op, args, resultField, type, future);
            } else if (waitForConnection != null) {
                Runnable go = () -> {
                    if (authenticated) {
                        send(op, args, resultField, type, future);
                    } else {
                        future.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED,
                                "the client is closed"));
                    }
                };
                waitingForConnection.add(go);
                loop.schedule(() -> {
                    if (waitingForConnection.remove(go)) {
                        future.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED,
                                "not connected within " + waitForConnection));
                    }
                }, waitForConnection.toNanos(), TimeUnit.NANOSECONDS);
            } else {
                future.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED,
                        "not connected (" + state.status() + "); " + op + " was not sent"));
            }
        });
        return (CompletableFuture<T>) (CompletableFuture<?>) future;
    }

    private void send(String op, ObjectNode args, String resultField, Class<?> type,
                      CompletableFuture<Object> future) {
        String id = "c" + (++commandIds);
        ObjectNode m = codec.newObject();
        m.put("op", op);
        m.put("id", id);
        m.setAll(args);
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future().completeExceptionally(new RateHubException(ErrorCode.TIMEOUT,
                        "no reply to " + op + " within " + requestTimeout + "; the outcome is unknown"));
            }
        }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        pending.put(id, new Pending(resultField, type, future, timeout));
        if (!sendRaw(m)) {
            pending.remove(id);
            timeout.cancel(false);
            future.completeExceptionally(new RateHubException(ErrorCode.NOT_CONNECTED,
                    "no link; " + op + " was not sent"));
        }
    }

    /**
     * Sends on the current link. Never a silent no-op: false when there is no link (the caller fails or keeps what
     * it sent), and a send that fails on the link ends the link, failing pending commands with
     * {@link ErrorCode#CONNECTION_LOST} and resubscribing on the next one.
     */
    private boolean sendRaw(ObjectNode m) {
        ClientTransport.Link l = link;
        if (l == null) {
            return false;
        }
        l.send(codec.encode(m)).whenComplete((v, e) -> {
            if (e != null) {
                loop.execute(() -> {
                    if (link == l && !closedByUser) {
                        LOG.warn("ratehub: a send failed ({}); reopening the link", rootMessage(e));
                        linkLost(1006, "a send failed: " + rootMessage(e));
                        l.close(CloseCodes.NORMAL, "send failed");
                    }
                });
            }
        });
        return true;
    }

    private void failPending(RateHubException e) {
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : all) {
            p.timeout().cancel(false);
            p.future().completeExceptionally(e);
        }
    }

    /** Builds a {@link RateHubClient}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        /**
         * Default liveness bound: 5 seconds, within the engine's own 10 s market staleness, so that a stalled link
         * never shows a rate live for longer than the market would.
         */
        public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(5);
        /** Default wait for a command's reply: 10 seconds. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        /** Default wait for the server to acknowledge a subscription ({@code subscribed} or an error): 10 seconds. */
        public static final Duration DEFAULT_SUBSCRIBE_ACK_TIMEOUT = Duration.ofSeconds(10);

        private URI uri;
        private final Map<String, String> headers = new HashMap<>();
        private Map<String, String> authMessage;
        private ClientTransport transport;
        private ScheduledExecutorService scheduler;
        private Executor listenerExecutor;
        private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
        private Duration livenessTimeout = DEFAULT_LIVENESS_TIMEOUT;
        private Duration heartbeatInterval; // null: a third of the liveness bound
        private Duration deadLinkTimeout; // null: three times the liveness bound
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration subscribeAckTimeout = DEFAULT_SUBSCRIBE_ACK_TIMEOUT;
        private Duration waitForConnection;
        private Clock clock = Clock.systemUTC();
        private Random random = new Random();

        private Builder() {
        }

        /** The server's WebSocket URI, for example {@code ws://host:8080/ratehub}; required. */
        public Builder uri(URI u) {
            this.uri = Require.notNull("uri", u);
            return this;
        }

        /** Authenticate with an API key (sent in the handshake's {@code X-Api-Key} header). */
        public Builder apiKey(String key) {
            headers.put("X-Api-Key", Require.text("apiKey", key));
            return this;
        }

        /** Authenticate with a bearer token (a JWT, sent in the handshake's {@code Authorization} header). */
        public Builder bearerToken(String token) {
            headers.put("Authorization", "Bearer " + Require.text("token", token));
            return this;
        }

        /**
         * Authenticate with an {@code auth} message instead of headers (as browsers do), with optional fields such
         * as {@code tz}. Default: headers.
         */
        public Builder authMessage(Map<String, String> fields) {
            this.authMessage = Map.copyOf(Require.notNull("fields", fields));
            return this;
        }

        /** The transport. Default: Tyrus WebSocket. The testkit gives an in-memory one. */
        public Builder transport(ClientTransport t) {
            this.transport = Require.notNull("transport", t);
            return this;
        }

        /**
         * Runs the client's own work (its event loop and timers); it must run tasks one at a time. Default: a
         * daemon thread of the client's own. The testkit gives one on virtual time.
         */
        public Builder scheduler(ScheduledExecutorService s) {
            this.scheduler = Require.notNull("scheduler", s);
            return this;
        }

        /** Runs listeners (one at a time, in order, whatever executor is given). Default: a daemon thread. */
        public Builder listenerExecutor(Executor e) {
            this.listenerExecutor = Require.notNull("listenerExecutor", e);
            return this;
        }

        /** Reconnect backoff. Default {@link ReconnectPolicy#DEFAULT}. */
        public Builder reconnect(ReconnectPolicy p) {
            this.reconnect = Require.notNull("reconnect", p);
            return this;
        }

        /**
         * The liveness bound: a cached rate ({@link RateHubClient#rate}, {@link LiveRate}) is live only while
         * something (a message or a pong) has been heard on the link within this bound; past it every cached rate is
         * NOT LIVE ("link silent"), and live again as soon as the link is heard from. The client pings an idle link
         * (see {@link #heartbeatInterval}) so that a healthy link is always heard from well within the bound. Must
         * exceed the heartbeat interval and be at most the dead-link timeout. Default
         * {@link #DEFAULT_LIVENESS_TIMEOUT} (5 seconds).
         *
         * @since 0.1
         */
        public Builder livenessTimeout(Duration d) {
            this.livenessTimeout = Require.positive("livenessTimeout", d);
            return this;
        }

        /**
         * Silence after which the client pings: a WebSocket ping frame (answered by the server's WebSocket stack,
         * and not counted by its message limit), or an {@code {"op":"ping"}} message on a transport that cannot
         * send pings ({@link ClientTransport.Link#ping()}), which does count. While the silence lasts it pings again
         * each interval. Must be shorter than the liveness bound. Default: a third of
         * {@link #livenessTimeout} (about 1.7 s with the default bound).
         */
        public Builder heartbeatInterval(Duration d) {
            this.heartbeatInterval = Require.positive("heartbeatInterval", d);
            return this;
        }

        /**
         * Silence after which the link is declared dead, dropped and reopened (cached rates stopped being live
         * earlier, at the liveness bound); also the longest wait for the {@code welcome} of a new link. At least
         * the liveness bound. Default: three times {@link #livenessTimeout} (15 s with the default bound).
         */
        public Builder deadLinkTimeout(Duration d) {
            this.deadLinkTimeout = Require.positive("deadLinkTimeout", d);
            return this;
        }

        Duration heartbeatInterval() {
            return heartbeatInterval != null ? heartbeatInterval : livenessTimeout.dividedBy(3);
        }

        Duration deadLinkTimeout() {
            return deadLinkTimeout != null ? deadLinkTimeout : livenessTimeout.multipliedBy(3);
        }

        /** Wait for a command's reply. Default {@link #DEFAULT_REQUEST_TIMEOUT}. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Require.positive("requestTimeout", d);
            return this;
        }

        /**
         * How long a connected client waits for the server to acknowledge each subscription it sent on the link
         * ({@code subscribed}, or an error, which fails the subscription). When one is not acknowledged in time the
         * link is dropped and reopened, and every subscription is sent again. Default
         * {@link #DEFAULT_SUBSCRIBE_ACK_TIMEOUT} (10 seconds).
         */
        public Builder subscribeAckTimeout(Duration d) {
            this.subscribeAckTimeout = Require.positive("subscribeAckTimeout", d);
            return this;
        }

        /**
         * Commands issued while disconnected wait up to this long for the connection instead of failing at once.
         * Default: they fail at once with {@link ErrorCode#NOT_CONNECTED}.
         */
        public Builder waitForConnection(Duration d) {
            this.waitForConnection = Require.positive("waitForConnection", d);
            return this;
        }

        /** Time for liveness and the heartbeat. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock c) {
            this.clock = Require.notNull("clock", c);
            return this;
        }

        /** Randomness for backoff jitter. Default: a new {@link Random}. */
        public Builder random(Random r) {
            this.random = Require.notNull("random", r);
            return this;
        }

        /** The client (not yet connected: call {@link RateHubClient#connect()}). */
        public RateHubClient build() {
            Require.notNull("uri", uri);
            if (headers.isEmpty() && authMessage == null) {
                throw new ValidationException("credentials", null, "give apiKey, bearerToken or authMessage");
            }
            if (heartbeatInterval().compareTo(livenessTimeout) >= 0) {
                throw new ValidationException("heartbeatInterval", heartbeatInterval(),
                        "must be shorter than the liveness timeout " + livenessTimeout);
            }
            if (deadLinkTimeout().compareTo(livenessTimeout) < 0) {
                throw new ValidationException("deadLinkTimeout", deadLinkTimeout(),
                        "must be at least the liveness timeout " + livenessTimeout);
            }
            return new RateHubClient(this);
        }
    }
}
