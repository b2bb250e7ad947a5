package io.ratehub.core.hub;

import io.ratehub.core.internal.HubUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One channel: its epoch, sequence, bounded history, latest value per key (state channels) and subscribers.
 *
 * <p>The channel's monitor is its single writer: publishing (assigning the next sequence number, recording it and
 * handing it to every subscriber's queue) and subscribing (computing the catch-up and registering) both hold it,
 * so a new subscriber sees every update exactly once: either in its catch-up or live, never both, never neither.
 * Handing an update to a queue never blocks.
 */
final class Channel {
    private final String name;
    private final ChannelKind kind;
    private final String epoch;
    private final int maxHistory;
    private final Duration maxAge;
    private final ArrayDeque<HubUpdate> history = new ArrayDeque<>();
    private final Map<String, HubUpdate> latest = new HashMap<>();
    /** State channels: one queue slot per key, shared by every session's queue (a bounded map: pairs). */
    private final Map<String, StateSlot> slots = new HashMap<>();
    /** State channels: every key ever published or removed (a bounded set: pairs). */
    private final Set<String> keysSeen = new java.util.HashSet<>();
    private final Set<HubSession> subscribers = new LinkedHashSet<>();
    private long seq;
    private long published;
    /** Private (user) channels: messages kept for the user while offline, with priorities and expiry. */
    private final boolean privateBox;
    private final java.util.Set<Long> undelivered = new java.util.HashSet<>();
    private long highestEvicted;

    Channel(String name, ChannelKind kind, String epoch, int maxHistory, Duration maxAge) {
        this.name = name;
        this.kind = kind;
        this.epoch = epoch;
        this.maxHistory = maxHistory;
        this.maxAge = maxAge;
        this.privateBox = name.startsWith("user:");
    }

    String name() {
        return name;
    }

    ChannelKind kind() {
        return kind;
    }

    String epoch() {
        return epoch;
    }

    synchronized long seq() {
        return seq;
    }

    synchronized int subscriberCount() {
        return subscribers.size();
    }

    synchronized int historySize() {
        return history.size();
    }

    synchronized long published() {
        return published;
    }

    /** Publishes one update, built by {@code frame} from its sequence number, and fans it out. */
    synchronized HubUpdate publish(String key, boolean removed, Instant now, FrameBuilder frame) {
        return publish(key, removed, now, frame, 1, null);
    }

    /** Publishes a state value only when {@code key} was never published or removed here; null when it was. */
    synchronized HubUpdate publishIfNew(String key, Instant now, FrameBuilder frame) {
        return keysSeen.contains(key) ? null : publish(key, false, now, frame);
    }

    /** Publishes with a priority (0-3) and an expiry (private channels). */
    synchronized HubUpdate publish(String key, boolean removed, Instant now, FrameBuilder frame, int priority,
                                   Instant expiresAt) {
        long next = seq + 1;
        Object slot = kind == ChannelKind.STATE ? slots.computeIfAbsent(key, k -> new StateSlot(name, k)) : null;
        HubUpdate u = new HubUpdate(name, next, key, removed, now, frame.build(name, epoch, next, key, removed),
                priority, expiresAt, slot);
        seq = next;
        published++;
        history.addLast(u);
        trim(now);
        if (kind == ChannelKind.STATE) {
            keysSeen.add(key);
            if (removed) {
                latest.remove(key);
            } else {
                latest.put(key, u);
            }
        }
        boolean delivered = false;
        List<HubSession> idle = null;
        Iterator<HubSession> it = subscribers.iterator();
        while (it.hasNext()) {
            HubSession s = it.next();
            int offered = s.offer(u, kind);
            if (offered == HubSession.CLOSED) {
                it.remove(); // the session was closed or cut off
                continue;
            }
            delivered = true;
            if (offered == HubSession.NEEDS_DRAIN) {
                if (idle == null) {
                    idle = new ArrayList<>();
                }
                idle.add(s);
            }
        }
        if (idle != null) {
            HubSession.drainAll(idle);
        }
        if (privateBox && !delivered) {
            undelivered.add(next);
        }
        return u;
    }

    /** Registers {@code session} and queues its catch-up from {@code from} (or none). */
    synchronized SubscribeResult subscribe(HubSession session, Position from, Instant now,
                                           Function<SubscribeResult, String> reply) {
        trim(now);
        List<HubUpdate> catchUp;
        Recovery recovery;
        long lostFrom = 0;
        long lostTo = 0;
        boolean sameEpoch = from != null && from.epoch().equals(epoch) && from.seq() <= seq;
        if (kind == ChannelKind.STATE) {
            if (from == null) {
                recovery = Recovery.SNAPSHOT;
                catchUp = snapshot();
            } else if (sameEpoch && reachesBackTo(from.seq())) {
                recovery = Recovery.DELTA;
                catchUp = changedSince(from.seq());
            } else {
                recovery = Recovery.RESET;
                catchUp = snapshot();
            }
        } else if (from == null && privateBox) {
            recovery = undelivered.isEmpty() ? Recovery.LIVE : Recovery.REPLAY;
            catchUp = byPriority(h -> undelivered.contains(h.seq()), now);
            undelivered.clear();
        } else if (from == null) {
            recovery = Recovery.LIVE;
            catchUp = List.of();
        } else if (privateBox && sameEpoch && highestEvicted <= from.seq()) {
            recovery = Recovery.REPLAY;
            catchUp = byPriority(h -> h.seq() > from.seq(), now);
            for (HubUpdate h : catchUp) {
                undelivered.remove(h.seq());
            }
        } else if (privateBox && sameEpoch) {
            recovery = Recovery.LOST;
            lostFrom = from.seq() + 1;
            lostTo = highestEvicted;
            catchUp = byPriority(h -> h.seq() > from.seq(), now);
            for (HubUpdate h : catchUp) {
                undelivered.remove(h.seq());
            }
        } else if (sameEpoch && reachesBackTo(from.seq())) {
            recovery = Recovery.REPLAY;
            catchUp = after(from.seq());
        } else {
            recovery = Recovery.LOST;
            long after = sameEpoch ? from.seq() : 0;
            lostFrom = after + 1;
            lostTo = history.isEmpty() ? seq : history.peekFirst().seq() - 1;
            if (lostTo < lostFrom) {
                // Nothing of this epoch is missing; for a position from another epoch (the hub restarted) what
                // followed it there is unknown, so it stays LOST with an empty range here.
                lostFrom = 0;
                lostTo = 0;
                if (sameEpoch) {
                    recovery = Recovery.REPLAY;
                }
            }
            catchUp = after(after);
        }
        SubscribeResult result = new SubscribeResult(name, kind, epoch, seq, recovery, catchUp.size(), lostFrom,
                lostTo);
        if (!session.offerCatchUp(reply == null ? null : reply.apply(result), catchUp, kind)) {
            return null;
        }
        subscribers.add(session);
        return result;
    }

    synchronized void unsubscribe(HubSession session) {
        subscribers.remove(session);
    }

    /** Whether every update after {@code position} is still in the history. */
    private boolean reachesBackTo(long position) {
        if (position == seq) {
            return true;
        }
        return !history.isEmpty() && history.peekFirst().seq() <= position + 1;
    }

    private List<HubUpdate> snapshot() {
        List<HubUpdate> values = new ArrayList<>(latest.values());
        values.sort(Comparator.comparingLong(HubUpdate::seq));
        return values;
    }

    /** The newest update of every key changed after {@code position} (removals included), in sequence order. */
    private List<HubUpdate> changedSince(long position) {
        Map<String, HubUpdate> newest = new HashMap<>();
        for (HubUpdate u : history) {
            if (u.seq() > position) {
                newest.put(u.key(), u);
            }
        }
        List<HubUpdate> out = new ArrayList<>(newest.values());
        out.sort(Comparator.comparingLong(HubUpdate::seq));
        return out;
    }

    private List<HubUpdate> after(long position) {
        List<HubUpdate> out = new ArrayList<>();
        for (HubUpdate u : history) {
            if (u.seq() > position) {
                out.add(u);
            }
        }
        return out;
    }

    /** Unexpired history entries matching {@code filter}, highest priority first, then in sequence order. */
    private List<HubUpdate> byPriority(java.util.function.Predicate<HubUpdate> filter, Instant now) {
        List<HubUpdate> out = new ArrayList<>();
        for (HubUpdate u : history) {
            if (filter.test(u) && !u.expiredAt(now)) {
                out.add(u);
            }
        }
        out.sort(Comparator.comparingInt(HubUpdate::priority).reversed().thenComparingLong(HubUpdate::seq));
        return out;
    }

    private void trim(Instant now) {
        if (privateBox) {
            trimPrivate(now);
            return;
        }
        Instant oldest = now.minus(maxAge);
        while (history.size() > maxHistory
                || (!history.isEmpty() && history.peekFirst().time().isBefore(oldest))) {
            history.removeFirst();
        }
    }

    /** Private boxes: expired messages go; past the bound, the lowest-priority oldest message makes room. */
    private void trimPrivate(Instant now) {
        history.removeIf(u -> {
            if (u.expiredAt(now)) {
                undelivered.remove(u.seq());
                return true;
            }
            return false;
        });
        while (history.size() > maxHistory) {
            HubUpdate victim = null;
            for (HubUpdate u : history) {
                if (victim == null || u.priority() < victim.priority()) {
                    victim = u;
                }
            }
            history.remove(victim);
            undelivered.remove(victim.seq());
            highestEvicted = Math.max(highestEvicted, victim.seq());
        }
    }

    /** Builds an update's wire frame; given by the hub so that the format lives in one place. */
    @FunctionalInterface
    interface FrameBuilder {
        String build(String channel, String epoch, long seq, String key, boolean removed);
    }
}
