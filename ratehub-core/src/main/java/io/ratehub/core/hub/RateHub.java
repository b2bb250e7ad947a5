package io.ratehub.core.hub;

import io.ratehub.core.ValidationException;
import io.ratehub.core.codec.JsonCodec;
import io.ratehub.core.engine.ListenerRegistration;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.internal.Require;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.StoreRate;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time hub: channels with an epoch, a sequence and a bounded history, fanned out to sessions, each with
 * its own bounded, conflating queue. Transport-agnostic: a WebSocket server or the in-memory testkit opens a
 * {@link HubSession} per connection with an {@link Outbound} to write to.
 *
 * <pre>{@code
 * RateHub hub = RateHub.builder().scheduler(scheduler).build();
 * hub.attach(engine);                                   // engine events -> market, store:<id>:rates, ...
 * HubSession session = hub.openSession(outbound, SessionSettings.defaults());
 * SubscribeResult r = session.subscribe(Channels.storeRates("downtown"), null);   // snapshot, then updates
 * hub.publishEvent(Channels.app("orders"), "{\"orderId\":\"o-1\",\"status\":\"paid\"}");
 * }</pre>
 *
 * <p>Each update is encoded once, as the {@code update} frame of docs/PROTOCOL.md, and the same text goes to every
 * subscriber. Publishing never blocks on a subscriber.
 *
 * <p>Thread-safe. The hub owns no thread: sending and batching run on the scheduler given to the builder.
 */
public final class RateHub {
    private static final Logger LOG = LoggerFactory.getLogger(RateHub.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final int maxHistory;
    private final Duration maxHistoryAge;
    private final int maxPrivateMessages;
    private final Duration defaultPrivateTtl;
    private final JsonCodec codec;
    private final String epochPrefix;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, HubSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong channelIds = new AtomicLong();
    private volatile boolean closed;

    private RateHub(Builder b) {
        this.clock = b.clock;
        this.scheduler = b.scheduler;
        this.maxHistory = b.maxHistory;
        this.maxHistoryAge = b.maxHistoryAge;
        this.maxPrivateMessages = b.maxPrivateMessages;
        this.defaultPrivateTtl = b.defaultPrivateTtl;
        this.codec = b.codec;
        this.epochPrefix = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    /** A builder; {@link Builder#scheduler} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The hub's clock. */
    public Clock clock() {
        return clock;
    }

    /** The codec the hub encodes engine events with. */
    public JsonCodec codec() {
        return codec;
    }

    // ---------------------------------------------------------------- sessions

    /**
     * Opens a session that writes to {@code out}.
     *
     * @throws IllegalStateException when the hub is closed
     */
    public HubSession openSession(Outbound out, SessionSettings settings) {
        Require.notNull("out", out);
        Require.notNull("settings", settings);
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        HubSession s = new HubSession(this, "s" + sessionIds.incrementAndGet(), out, settings);
        sessions.put(s.id(), s);
        return s;
    }

    /** How many sessions are open. */
    public int sessionCount() {
        return sessions.size();
    }

    /** The open sessions. */
    public java.util.Collection<HubSession> sessions() {
        return java.util.List.copyOf(sessions.values());
    }

    void sessionClosed(HubSession s) {
        sessions.remove(s.id(), s);
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Publishes the value of {@code key} on a state channel.
     *
     * @param eventJson the value's JSON object (typically a {@link RateEvent} as encoded by {@link JsonCodec})
     * @return the update's sequence number
     * @throws ValidationException when the channel is not a state channel or the key is malformed
     */
    public long publishState(String channel, String key, String eventJson) {
        return publish(channel, ChannelKind.STATE, key, false, eventJson);
    }

    /** Removes {@code key} from a state channel; {@code eventJson} says why (for example a spread removal). */
    public long removeState(String channel, String key, String eventJson) {
        return publish(channel, ChannelKind.STATE, key, true, eventJson);
    }

    /**
     * Publishes an event on an event channel, already encoded as a JSON object.
     *
     * @return the update's sequence number
     * @throws ValidationException when the channel is not an event channel
     */
    public long publishEvent(String channel, String eventJson) {
        return publish(channel, ChannelKind.EVENT, null, false, eventJson);
    }

    /**
     * Publishes an application value on an event channel (for example {@link Channels#app(String)}), encoding it
     * with the hub's codec.
     */
    public long publishEvent(String channel, Object value) {
        Require.notNull("value", value);
        return publishEvent(channel, codec.encode(value));
    }

    /**
     * Sends a private message to a user on {@code user:<id>}. A user with a live subscription gets it at once; a user
     * who is offline gets it on return (subscribing without a position delivers every message not yet delivered to
     * any of the user's sessions), highest priority first, then in order, unless it expired meanwhile. The box holds
     * at most {@link Builder#maxPrivateMessages(int)} messages; past that the lowest-priority oldest one makes room.
     *
     * @param eventJson the message as a JSON object
     * @param priority its priority
     * @param ttl how long it may wait for the user, or {@code null} for the hub's default
     * @return the message's sequence number in the user's channel
     */
    public long sendToUser(String userId, String eventJson, Priority priority, Duration ttl) {
        requireObject(eventJson);
        Require.notNull("priority", priority);
        Duration life = ttl == null ? defaultPrivateTtl : Require.positive("ttl", ttl);
        Channel c = channel(Channels.user(userId));
        java.time.Instant now = clock.instant();
        String p = priority.name();
        return c.publish(null, false, now,
                (name, epoch, seq, k, rm) -> frame(name, epoch, seq, null, false, eventJson, p),
                priority.ordinal(), now.plus(life)).seq();
    }

    private long publish(String channel, ChannelKind expected, String key, boolean removed, String eventJson) {
        requireObject(eventJson);
        Channel c = channel(channel);
        if (c.kind() != expected) {
            throw new ValidationException("channel", channel, "is a " + c.kind() + " channel");
        }
        if (expected == ChannelKind.STATE) {
            checkKey(key);
        }
        return c.publish(key, removed, clock.instant(),
                (name, epoch, seq, k, rm) -> frame(name, epoch, seq, k, rm, eventJson, null)).seq();
    }

    /**
     * A cheap guard against publishing text that is not a JSON object (it is spliced into frames as it is):
     * {@code publishEvent(channel, "hello")} is refused rather than sent as a broken frame, and so is text with a
     * lone UTF-16 surrogate, which no WebSocket text frame can carry.
     */
    private static void requireObject(String eventJson) {
        Require.notNull("event", eventJson);
        String t = eventJson.strip();
        if (t.length() < 2 || t.charAt(0) != '{' || t.charAt(t.length() - 1) != '}') {
            throw new ValidationException("event", eventJson, "must be a JSON object (encode values with the codec)");
        }
        Require.wellFormed("event", eventJson); // a lone surrogate cannot be sent as UTF-8 to any subscriber
    }

    private static void checkKey(String key) {
        Require.notNull("key", key);
        if (key.isEmpty() || key.length() > 64) {
            throw new ValidationException("key", key, "must be 1-64 characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '_' || ch == '.' || ch == ':' || ch == '-' || ch == '/';
            if (!ok) {
                throw new ValidationException("key", key, "must be letters, digits or _ . : - /");
            }
        }
    }

    /** The update frame; names, epochs and keys are validated to need no JSON escaping. */
    private static String frame(String channel, String epoch, long seq, String key, boolean removed, String event,
                                String priority) {
        StringBuilder sb = new StringBuilder(96 + event.length());
        sb.append("{\"type\":\"update\",\"channel\":\"").append(channel)
                .append("\",\"epoch\":\"").append(epoch)
                .append("\",\"seq\":").append(seq);
        if (key != null) {
            sb.append(",\"key\":\"").append(key).append('"');
        }
        if (removed) {
            sb.append(",\"removed\":true");
        }
        if (priority != null) {
            sb.append(",\"priority\":\"").append(priority).append('"');
        }
        return sb.append(",\"event\":").append(event).append('}').toString();
    }

    /** The channel's current position (epoch and last sequence number), if it exists. */
    public Optional<Position> head(String channel) {
        Channel c = channels.get(channel);
        return c == null ? Optional.empty() : Optional.of(new Position(c.epoch(), c.seq()));
    }

    /** Per channel: its head sequence number, subscribers and history size, sorted by name. */
    public Map<String, ChannelStats> channelStats() {
        Map<String, ChannelStats> out = new TreeMap<>();
        for (Channel c : channels.values()) {
            out.put(c.name(), new ChannelStats(c.kind(), c.epoch(), c.seq(), c.subscriberCount(), c.historySize(),
                    c.published()));
        }
        return out;
    }

    /**
     * A channel's figures.
     *
     * @param kind its kind
     * @param epoch its epoch
     * @param seq its last sequence number
     * @param subscribers how many sessions subscribe to it
     * @param history how many updates its history holds
     * @param published updates published since the hub started
     */
    public record ChannelStats(ChannelKind kind, String epoch, long seq, int subscribers, int history,
                               long published) {
    }

    /**
     * Declares an application channel ({@code app:<name>}) so clients can subscribe to it before its first event.
     * Publishing to it declares it too. Clients cannot create application channels by subscribing: that would let
     * any client grow the hub's memory without bound.
     */
    public void declareAppChannel(String name) {
        channel(Channels.app(name));
    }

    /** Whether a channel exists (it was published to, declared or subscribed to). */
    public boolean hasChannel(String name) {
        return channels.containsKey(name);
    }

    /** The names of the channels that exist. */
    public Set<String> channelNames() {
        return new java.util.TreeSet<>(channels.keySet());
    }

    Channel channel(String name) {
        Channel c = channels.get(name);
        if (c != null) {
            return c;
        }
        ChannelKind kind = Channels.kindOf(name);
        int bound = name.startsWith("user:") ? maxPrivateMessages : maxHistory;
        return channels.computeIfAbsent(name, n -> new Channel(n, kind,
                epochPrefix + "-" + Long.toString(channelIds.incrementAndGet(), 36), bound, maxHistoryAge));
    }

    // ---------------------------------------------------------------- the engine

    /**
     * Routes every event of {@code engine} to its channels, encoded once with the hub's codec:
     * market rates to {@code market} (keyed by pair); source and pair staleness and outliers to
     * {@code market:alerts}; store rates to {@code store:<id>:rates} (keyed by pair; a removed spread removes the
     * key); spreads, overrides and alerts to {@code store:<id>:alerts}; locks to {@code store:<id>:locks}.
     *
     * <p>The engine's rates at the time of attaching are published too (each one only if no update of its key
     * got there first), so a hub attached to an engine that already has rates gives subscribers a full snapshot at
     * once rather than waiting for the next tick.
     *
     * @return removes the routing
     */
    public ListenerRegistration attach(RateEngine engine) {
        ListenerRegistration registration = engine.addListener(this::route);
        Instant now = clock.instant();
        for (MarketRate m : engine.marketRates()) {
            seed(Channels.MARKET, m.pair().toString(), codec.encodeEvent(new RateEvent.MarketRateUpdated(m, now)));
        }
        for (String store : engine.stores()) {
            for (StoreRate r : engine.storeRates(store)) {
                seed(Channels.storeRates(store), r.pair().toString(),
                        codec.encodeEvent(new RateEvent.StoreRateUpdated(r, now)));
            }
        }
        return registration;
    }

    /** Publishes a state value unless its key has ever been published or removed on the channel. */
    private void seed(String channel, String key, String eventJson) {
        Channel c = channel(channel);
        c.publishIfNew(key, clock.instant(),
                (name, epoch, seq, k, rm) -> frame(name, epoch, seq, k, rm, eventJson, null));
    }

    private void route(RateEvent e) {
        String json = codec.encodeEvent(e);
        if (e instanceof RateEvent.MarketRateUpdated m) {
            publishState(Channels.MARKET, m.pair().toString(), json);
        } else if (e instanceof RateEvent.MarketEvent) {
            publishEvent(Channels.MARKET_ALERTS, json);
        } else if (e instanceof RateEvent.StoreRateUpdated r) {
            publishState(Channels.storeRates(r.storeId()), r.pair().toString(), json);
        } else if (e instanceof RateEvent.SpreadRemoved r) {
            removeState(Channels.storeRates(r.storeId()), r.pair().toString(), json);
            publishEvent(Channels.storeAlerts(r.storeId()), json);
        } else if (e instanceof RateEvent.LockCreated || e instanceof RateEvent.LockCompleted
                || e instanceof RateEvent.LockCancelled || e instanceof RateEvent.LockExpired) {
            publishEvent(Channels.storeLocks(((RateEvent.StoreEvent) e).storeId()), json);
        } else {
            publishEvent(Channels.storeAlerts(((RateEvent.StoreEvent) e).storeId()), json);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Closes every session with {@link HubSession#GOING_AWAY} and {@code reason}; no session can be opened after.
     * Does not shut the scheduler down.
     */
    public void close(String reason) {
        closed = true;
        for (HubSession s : sessions.values()) {
            s.close(HubSession.GOING_AWAY, reason);
        }
    }

    void execute(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("scheduler rejected a hub task; the hub is shutting down", e);
        }
    }

    void schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            scheduler.schedule(task, delay, unit);
        } catch (RejectedExecutionException e) {
            LOG.debug("scheduler rejected a hub task; the hub is shutting down", e);
        }
    }

    /** Builds a {@link RateHub}. Not thread-safe; each method documents its default. */
    public static final class Builder {
        /** Default history bound per channel: 10,000 updates. */
        public static final int DEFAULT_MAX_HISTORY = 10_000;
        /** Default history age per channel: 10 minutes. */
        public static final Duration DEFAULT_MAX_HISTORY_AGE = Duration.ofMinutes(10);
        /** Default bound of a user's private box: 1,000 messages. */
        public static final int DEFAULT_MAX_PRIVATE_MESSAGES = 1_000;
        /** Default time a private message waits for its user: 24 hours. */
        public static final Duration DEFAULT_PRIVATE_TTL = Duration.ofHours(24);

        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private int maxHistory = DEFAULT_MAX_HISTORY;
        private Duration maxHistoryAge = DEFAULT_MAX_HISTORY_AGE;
        private JsonCodec codec = JsonCodec.create();
        private int maxPrivateMessages = DEFAULT_MAX_PRIVATE_MESSAGES;
        private Duration defaultPrivateTtl = DEFAULT_PRIVATE_TTL;

        private Builder() {
        }

        /** The most messages a user's private box holds. Default {@link #DEFAULT_MAX_PRIVATE_MESSAGES}. */
        public Builder maxPrivateMessages(int n) {
            if (n < 1) {
                throw new ValidationException("maxPrivateMessages", n, "must be >= 1");
            }
            this.maxPrivateMessages = n;
            return this;
        }

        /** How long a private message waits for its user unless told otherwise. Default {@link #DEFAULT_PRIVATE_TTL}. */
        public Builder defaultPrivateTtl(Duration d) {
            this.defaultPrivateTtl = Require.positive("defaultPrivateTtl", d);
            return this;
        }

        /** Time for history ages. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock c) {
            this.clock = Require.notNull("clock", c);
            return this;
        }

        /** Runs sending and batching; required. The hub does not shut it down. */
        public Builder scheduler(ScheduledExecutorService s) {
            this.scheduler = Require.notNull("scheduler", s);
            return this;
        }

        /** The most updates a channel's history holds. Default {@link #DEFAULT_MAX_HISTORY}. */
        public Builder maxHistory(int n) {
            if (n < 1) {
                throw new ValidationException("maxHistory", n, "must be >= 1");
            }
            this.maxHistory = n;
            return this;
        }

        /** How long a channel's history holds an update. Default {@link #DEFAULT_MAX_HISTORY_AGE}. */
        public Builder maxHistoryAge(Duration d) {
            this.maxHistoryAge = Require.positive("maxHistoryAge", d);
            return this;
        }

        /** The codec engine events are encoded with. Default {@link JsonCodec#create()}. */
        public Builder codec(JsonCodec c) {
            this.codec = Require.notNull("codec", c);
            return this;
        }

        /** The hub. */
        public RateHub build() {
            if (scheduler == null) {
                throw new ValidationException("scheduler", null, "is required");
            }
            return new RateHub(this);
        }
    }
}
