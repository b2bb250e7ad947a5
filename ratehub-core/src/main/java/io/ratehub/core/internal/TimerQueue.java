package io.ratehub.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Time-based work of the engine (expiries, staleness checks), ordered by due time. Owns no thread: the engine
 * runs what is due when asked, and a caller-supplied scheduler may be told when the earliest deadline moves.
 * Entries are never cancelled; each action re-checks the state it acts on, so a stale entry does nothing.
 */
public final class TimerQueue {
    private record Entry(Instant due, long seq, Runnable action) {
    }

    private final PriorityQueue<Entry> queue =
            new PriorityQueue<>(Comparator.comparing(Entry::due).thenComparingLong(Entry::seq));
    private final Consumer<Instant> onEarlierHead;
    private long seq;

    /** @param onEarlierHead told (outside any lock) when a new entry becomes the earliest */
    public TimerQueue(Consumer<Instant> onEarlierHead) {
        this.onEarlierHead = onEarlierHead;
    }

    /** Adds {@code action} to run at or after {@code due}. */
    public void schedule(Instant due, Runnable action) {
        Entry e;
        boolean head;
        synchronized (this) {
            e = new Entry(due, seq++, action);
            queue.add(e);
            head = queue.peek() == e;
        }
        if (head) {
            onEarlierHead.accept(due);
        }
    }

    /**
     * Removes and returns every action due at or before {@code now}, earliest first. Actions they schedule wait for
     * the next call, so an action that reschedules itself can never keep one call running forever.
     */
    public synchronized List<Runnable> takeDue(Instant now) {
        List<Runnable> due = new ArrayList<>();
        while (!queue.isEmpty() && !queue.peek().due().isAfter(now)) {
            due.add(queue.poll().action());
        }
        return due;
    }

    /** The earliest due time, if any. */
    public synchronized Optional<Instant> nextDue() {
        Entry head = queue.peek();
        return head == null ? Optional.empty() : Optional.of(head.due());
    }
}
