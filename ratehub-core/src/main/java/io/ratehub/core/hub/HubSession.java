package io.ratehub.core.hub;

import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.HubUpdate;
import io.ratehub.core.ValidationException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected subscriber of the hub (a WebSocket connection, or an in-memory client): its subscriptions and its
 * bounded outbound queue.
 *
 * <p><b>The queue.</b> Updates are queued per session, in sequence order per channel. On state channels a newer
 * value of a key replaces the queued older one and moves to the back of the queue (conflation: memory stays bounded
 * by the number of keys, and a subscriber never gets an older value after a newer one); with
 * {@link SessionSettings#conflation()} off every value is kept while fewer than
 * {@link SessionSettings#maxQueuedEvents()} are, and conflates past that. Event-channel updates are all kept; past
 * {@link SessionSettings#maxQueuedEvents()} of them the session is cut off with {@link #SLOW_CONSUMER} and recovers
 * from history when it comes back. The two bounds are counted apart: rates never cut a session off. At most one
 * frame is in flight to the {@link Outbound}; a slow transport therefore never blocks the publisher or other
 * sessions.
 *
 * <p><b>Frames.</b> One queued update is sent as its own frame; several are sent as one {@code batch} frame (see
 * docs/PROTOCOL.md). With a batching window, updates are collected for that long before a frame is sent.
 *
 * <p>Thread-safe.
 */
public final class HubSession {
    /** Close code of a session cut off because it did not keep up with its event channels. */
    public static final int SLOW_CONSUMER = 4008;
    /** Close code when the hub shuts down (WebSocket "going away"). */
    public static final int GOING_AWAY = 1001;

    private static final Logger LOG = LoggerFactory.getLogger(HubSession.class);

    private final RateHub hub;
    private final String id;
    private final Outbound out;
    private final SessionSettings settings;
    private final Map<String, Channel> subscriptions = new ConcurrentHashMap<>();

    // Guarded by this.
    private final LinkedHashMap<Object, HubUpdate> pending = new LinkedHashMap<>();
    private final Map<String, Throttle> throttles = new HashMap<>();
    private final ArrayDeque<String> control = new ArrayDeque<>();
    private int pendingEvents;
    private int pendingKept; // state values queued one by one (conflation off)
    private boolean drainScheduled;
    private boolean inFlight;
    private boolean flushScheduled;
    private boolean flushDue;
    private boolean closed;
    private Integer closingCode; // set by closeAfterFlush
    private String closingReason;
    private java.time.ZoneId zone;
    private long framesSent;
    private long updatesSent;
    private long conflated;


    /** A state subscription's per-key rate cap; guarded by the session's monitor. */
    private static final class Throttle {
        final long intervalNanos;
        final Map<String, Long> lastQueuedNanos = new HashMap<>();
        final Map<String, HubUpdate> held = new HashMap<>();

        Throttle(long intervalNanos) {
            this.intervalNanos = intervalNanos;
        }
    }

    HubSession(RateHub hub, String id, Outbound out, SessionSettings settings) {
        this.hub = hub;
        this.id = id;
        this.out = out;
        this.settings = settings;
    }

    /** The session's id, unique within the hub, for logs. */
    public String id() {
        return id;
    }

    /**
     * Subscribes to a channel, optionally from a position, and queues the catch-up (snapshot, delta or replay)
     * ahead of any live update. Subscribing again to the same channel restarts it from the given position.
     *
     * @param channel a channel name (see {@link Channels})
     * @param from the last position the subscriber saw, or {@code null} for none
     * @return how the subscriber was caught up
     * @throws ValidationException for an unknown channel name
     * @throws IllegalStateException when the session is closed
     */
    public SubscribeResult subscribe(String channel, Position from) {
        return subscribe(channel, from, null);
    }

    /**
     * As {@link #subscribe(String, Position)}, and queues the frame {@code reply} makes of the result ahead of the
     * catch-up, so that the subscriber reads the acknowledgement before the snapshot or replay it announces.
     *
     * @param reply builds the acknowledgement frame, or {@code null} for none
     */
    public SubscribeResult subscribe(String channel, Position from,
                                     java.util.function.Function<SubscribeResult, String> reply) {
        return subscribe(channel, from, reply, null);
    }

    /**
     * As {@link #subscribe(String, Position, java.util.function.Function)}, and on a state channel delivers each key
     * at most once per {@code minInterval} (a wall board needs two updates a second, a calculator every change):
     * values arriving sooner are held back, newer replacing older, and the newest is delivered when the interval
     * has passed. The catch-up is never held back. Since a held value arrives after later values of other keys,
     * {@code seq} does not only grow on such a subscription, and resuming one always starts from a snapshot.
     *
     * @param minInterval the least time between two updates of one key, or {@code null} for every change
     * @throws ValidationException when {@code minInterval} is given for an event channel, or is not positive
     */
    public SubscribeResult subscribe(String channel, Position from,
                                     java.util.function.Function<SubscribeResult, String> reply,
                                     Duration minInterval) {
        Channel c = hub.channel(channel);
        if (minInterval != null && (c.kind() != ChannelKind.STATE || minInterval.isNegative()
                || minInterval.isZero())) {
            throw new ValidationException("maxRate", minInterval,
                    "applies to state channels only and must be positive");
        }
        Channel previous = subscriptions.put(channel, c);
        if (previous != null) {
            previous.unsubscribe(this);
        }
        synchronized (this) {
            // Together: a held value of the old subscription must neither be released nor stay queued.
            if (minInterval == null) {
                throttles.remove(channel);
            } else {
                throttles.put(channel, new Throttle(minInterval.toNanos()));
            }
            if (previous != null) {
                dropQueued(channel);
            }
        }
        // A rate cap delivers a held value after later values of other keys, so a position reported by such a
        // subscriber does not prove it has everything before it: it resumes from a snapshot.
        Position start = minInterval == null ? from : null;
        SubscribeResult result = c.subscribe(this, start, hub.clock().instant(), reply);
        if (result == null) {
            subscriptions.remove(channel, c);
            throw new IllegalStateException("session " + id + " is closed");
        }
        drain();
        return result;
    }

    /**
     * Stops a subscription and drops its queued updates.
     *
     * @return false when the session was not subscribed to the channel
     */
    public boolean unsubscribe(String channel) {
        Channel c = subscriptions.remove(channel);
        if (c == null) {
            return false;
        }
        c.unsubscribe(this);
        synchronized (this) {
            throttles.remove(channel); // values it holds back are not released
            dropQueued(channel);
        }
        return true;
    }

    /** The channels this session is subscribed to, sorted. */
    public Set<String> subscriptions() {
        return new TreeSet<>(subscriptions.keySet());
    }

    /** Updates queued and not yet handed to the transport. */
    public synchronized int queueDepth() {
        return pending.size() + control.size();
    }

    /** Frames handed to the transport so far. */
    public synchronized long framesSent() {
        return framesSent;
    }

    /** Updates handed to the transport so far. */
    public synchronized long updatesSent() {
        return updatesSent;
    }

    /** State values replaced in the queue by newer ones so far. */
    public synchronized long conflated() {
        return conflated;
    }

    /**
     * Renders every update's timestamps also in {@code zone} (see docs/PROTOCOL.md), or stops with {@code null}.
     * Each update is rendered once per zone and shared by the sessions in that zone.
     */
    public synchronized void timeZone(java.time.ZoneId z) {
        this.zone = z;
    }

    /** The session's time zone, or {@code null}. */
    public synchronized java.time.ZoneId timeZone() {
        return zone;
    }

    /** Whether the session is closed. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Sends a frame that is not a channel update (a command reply, an error, a pong) ahead of queued updates, when
     * the frame in flight is written.
     *
     * @return false when the session is closed
     */
    public boolean sendControl(String frame) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            control.addLast(frame);
        }
        drain();
        return true;
    }

    /**
     * The transport is gone (the peer closed, or the connection failed): detaches from every channel and drops the
     * queue. Idempotent; does not call {@link Outbound#close}.
     */
    public void disconnected() {
        if (markClosed()) {
            detachAll();
        }
    }

    /**
     * Cuts the session off: detaches it, drops its queue and closes the transport with {@code code}. Idempotent.
     */
    public void close(int code, String reason) {
        if (markClosed()) {
            detachAll();
            try {
                out.close(code, reason);
            } catch (RuntimeException e) {
                LOG.debug("session {}: closing the transport failed", id, e);
            }
        }
    }

    /**
     * Stops taking channel updates and closes the transport with {@code code} once everything already queued
     * (replies, errors, updates) has been written. The caller may still {@link #close} it sooner, for a deadline.
     * Idempotent.
     */
    public void closeAfterFlush(int code, String reason) {
        synchronized (this) {
            if (closed || closingCode != null) {
                return;
            }
            closingCode = code;
            closingReason = reason;
        }
        for (Iterator<Channel> it = subscriptions.values().iterator(); it.hasNext(); ) {
            it.next().unsubscribe(this);
            it.remove();
        }
        drain();
    }

    private synchronized boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        pending.clear();
        control.clear();
        pendingEvents = 0;
        pendingKept = 0;
        return true;
    }

    private void detachAll() {
        for (Iterator<Channel> it = subscriptions.values().iterator(); it.hasNext(); ) {
            it.next().unsubscribe(this);
            it.remove();
        }
        hub.sessionClosed(this);
    }

    // ---------------------------------------------------------------- called by channels, under their monitor

    /** {@link #offer}: the session is closed; the channel forgets it. */
    static final int CLOSED = 0;
    /** {@link #offer}: queued; the session is already sending or will be. */
    static final int QUEUED = 1;
    /** {@link #offer}: queued on an idle session, which needs a {@link #drainAll} to send it. */
    static final int NEEDS_DRAIN = 2;

    /**
     * Queues a live update. Sending happens off the publisher's thread: a channel collects the idle sessions that
     * need a drain ({@link #NEEDS_DRAIN}) and hands them to {@link #drainAll} as one task, so one publish costs one
     * task however many subscribers it reaches. A busy session drains from its send completion, a batching one from
     * its window timer.
     */
    int offer(HubUpdate u, ChannelKind kind) {
        boolean cutOff;
        boolean kick;
        synchronized (this) {
            if (closed || closingCode != null) {
                return CLOSED;
            }
            if (kind == ChannelKind.STATE && holdBack(u)) {
                return QUEUED;
            }
            enqueue(u, kind);
            cutOff = pendingEvents > settings.maxQueuedEvents();
            kick = !cutOff && !inFlight && !drainScheduled && !flushScheduled;
            if (kick) {
                drainScheduled = true;
            }
        }
        if (cutOff) {
            // Not here, under the channel's monitor: closing detaches from other channels.
            hub.execute(() -> close(SLOW_CONSUMER, "slow consumer: more than " + settings.maxQueuedEvents()
                    + " event updates queued"));
        }
        return kick ? NEEDS_DRAIN : QUEUED;
    }

    /** Drains each session (all of one hub) on the hub's executor, as one task. */
    static void drainAll(List<HubSession> sessions) {
        if (!sessions.isEmpty()) {
            sessions.get(0).hub.execute(() -> {
                for (HubSession s : sessions) {
                    s.scheduledDrain();
                }
            });
        }
    }

    private void scheduledDrain() {
        synchronized (this) {
            drainScheduled = false;
        }
        drain();
    }

    /** Queues a subscription's catch-up; false when the session is closed. */
    synchronized boolean offerCatchUp(String reply, List<HubUpdate> updates, ChannelKind kind) {
        if (closed) {
            return false;
        }
        if (reply != null) {
            control.addLast(reply);
        }
        for (HubUpdate u : updates) {
            enqueue(u, kind);
        }
        return true;
    }

    /** Holds {@code u} back when its key was queued less than the subscription's interval ago. Holds the monitor. */
    private boolean holdBack(HubUpdate u) {
        Throttle t = throttles.get(u.channel());
        if (t == null) {
            return false;
        }
        long now = nanosNow();
        Long last = t.lastQueuedNanos.get(u.key());
        if (last == null || now - last >= t.intervalNanos) {
            t.lastQueuedNanos.put(u.key(), now);
            if (t.held.remove(u.key()) != null) {
                conflated++; // an older value still waiting for its timer: u supersedes it
            }
            return false;
        }
        if (t.held.put(u.key(), u) == null) { // first held value of this key: release it when the interval is over
            hub.schedule(() -> release(u.channel(), t, u.key()), t.intervalNanos - (now - last),
                    TimeUnit.NANOSECONDS);
        } else {
            conflated++;
        }
        return true;
    }

    private void release(String channel, Throttle t, String key) {
        synchronized (this) {
            HubUpdate u = t.held.remove(key);
            if (closed || u == null || throttles.get(channel) != t) {
                return; // closed, or unsubscribed / resubscribed meanwhile
            }
            t.lastQueuedNanos.put(key, nanosNow());
            enqueue(u, ChannelKind.STATE);
        }
        drain();
    }

    private long nanosNow() {
        java.time.Instant now = hub.clock().instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void enqueue(HubUpdate u, ChannelKind kind) {
        if (kind == ChannelKind.EVENT) {
            if (pending.putIfAbsent(u, u) == null) {
                pendingEvents++;
            }
        } else if (!settings.conflation() && pendingKept < settings.maxQueuedEvents()) {
            if (pending.putIfAbsent(u, u) == null) { // keyed by itself, as an event (HubUpdate: identity equality)
                pendingKept++;
            }
        } else {
            Object slot = u.slot(); // never null for a state update
            if (pending.remove(slot) != null) {
                conflated++;
            }
            pending.put(slot, u); // at the back: per channel the queue stays in sequence order
        }
    }

    /** Counts an entry leaving the queue (state updates carry their slot; events none). Holds the monitor. */
    private void dequeued(Object key, HubUpdate u) {
        if (key instanceof StateSlot) {
            return;
        }
        if (u.slot() != null) {
            pendingKept--;
        } else {
            pendingEvents--;
        }
    }

    private synchronized void dropQueued(String channel) {
        Iterator<Map.Entry<Object, HubUpdate>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Object, HubUpdate> e = it.next();
            if (channel.equals(e.getValue().channel())) {
                dequeued(e.getKey(), e.getValue());
                it.remove();
            }
        }
    }

    // ---------------------------------------------------------------- sending

    /** Hands the next frame to the transport when none is in flight. */
    void drain() {
        while (true) {
            String frame;
            int closeCode = 0;
            String closeReason = null;
            synchronized (this) {
                if (closed || inFlight) {
                    return;
                }
                if (pending.isEmpty() && control.isEmpty()) {
                    if (closingCode == null) {
                        return;
                    }
                    frame = null; // everything is written: finish the graceful close
                    closeCode = closingCode;
                    closeReason = closingReason;
                } else {
                    long window = settings.batchWindow().toNanos();
                    if (control.isEmpty() && window > 0 && !flushDue && closingCode == null) {
                        if (!flushScheduled) {
                            flushScheduled = true;
                            hub.schedule(this::windowElapsed, window, TimeUnit.NANOSECONDS);
                        }
                        return;
                    }
                    frame = nextFrame();
                    inFlight = true;
                }
            }
            if (frame == null) {
                close(closeCode, closeReason);
                return;
            }
            // 0: send() has not returned yet; 1: it returned first; 2: the completion came first (inline).
            AtomicInteger race = new AtomicInteger();
            try {
                out.send(frame, error -> {
                    boolean ok = sent(error);
                    if (!race.compareAndSet(0, 2) && ok) {
                        drain(); // completed after send() returned: nobody else will drain
                    }
                });
            } catch (RuntimeException | Error e) { // a transport that failed without completing: never a frame
                if (race.compareAndSet(0, 2)) {     // left in flight for good
                    sent(e);
                }
                return;
            }
            if (race.compareAndSet(0, 1)) {
                return; // the completion will drain
            }
            // completed inline: loop rather than recurse
        }
    }

    private void windowElapsed() {
        synchronized (this) {
            flushScheduled = false;
            flushDue = true;
        }
        drain();
    }

    /** Ends the frame in flight; false (after closing the session) when it failed. */
    private boolean sent(Throwable error) {
        synchronized (this) {
            inFlight = false;
        }
        if (error != null) {
            if (!isClosed()) {
                LOG.warn("session {}: a frame could not be written ({}); closing the session with 1011", id,
                        String.valueOf(error));
                LOG.debug("session {}: send failure", id, error);
            }
            close(1011, "send failed");
            return false;
        }
        return true;
    }

    /** Takes the next control frame, or up to maxBatch queued updates as one frame. Holds the monitor. */
    private String nextFrame() {
        framesSent++;
        if (!control.isEmpty()) {
            return control.pollFirst();
        }
        int n = Math.min(pending.size(), settings.maxBatch());
        Iterator<Map.Entry<Object, HubUpdate>> it = pending.entrySet().iterator();
        List<String> frames = new ArrayList<>(n);
        while (frames.size() < n) {
            Map.Entry<Object, HubUpdate> e = it.next();
            dequeued(e.getKey(), e.getValue());
            frames.add(e.getValue().frame(zone, io.ratehub.core.internal.LocalTimes::render));
            it.remove();
        }
        if (pending.isEmpty()) {
            flushDue = false;
        }
        updatesSent += frames.size();
        if (frames.size() == 1) {
            return frames.get(0);
        }
        StringBuilder sb = new StringBuilder(32 + frames.size() * 200);
        sb.append("{\"type\":\"batch\",\"updates\":[");
        for (int i = 0; i < frames.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(frames.get(i));
        }
        return sb.append("]}").toString();
    }

    @Override
    public String toString() {
        return "HubSession[" + id + "]";
    }
}
