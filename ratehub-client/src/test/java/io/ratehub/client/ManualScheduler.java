package io.ratehub.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler and clock on virtual time for the client's unit tests, run entirely on the test's own thread: work
 * submitted to run now runs at once (queued behind the task running, if any), and work scheduled for later runs when
 * {@link #advance} moves the clock past its due time. Not thread-safe: one thread drives everything.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ArrayDeque<Runnable> now = new ArrayDeque<>();
    private final PriorityQueue<Task<?>> timed = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private final Instant origin;
    private long nanos;
    private long order;
    private boolean running;

    ManualScheduler(Instant origin) {
        this.origin = origin;
    }

    Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return ManualScheduler.this.instant();
            }
        };
    }

    Instant instant() {
        return origin.plusNanos(nanos);
    }

    /** Moves time forward by {@code d}, running each task that falls due at its due time. */
    void advance(Duration d) {
        long target = nanos + d.toNanos();
        while (!timed.isEmpty() && timed.peek().due <= target) {
            Task<?> t = timed.poll();
            nanos = Math.max(nanos, t.due);
            execute(t);
        }
        nanos = target;
    }

    @Override
    public void execute(Runnable command) {
        now.add(command);
        if (running) {
            return;
        }
        running = true;
        try {
            Runnable r;
            while ((r = now.poll()) != null) {
                r.run();
            }
        } finally {
            running = false;
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(() -> {
            command.run();
            return null;
        }, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Task<V> t = new Task<>(callable, nanos + Math.max(0, unit.toNanos(delay)), 0);
        timed.add(t);
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Task<Object> t = new Task<>(() -> {
            command.run();
            return null;
        }, nanos + unit.toNanos(initialDelay), Math.max(1, unit.toNanos(period)));
        timed.add(t);
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        long due;
        final long period;
        final long order;

        Task(Callable<V> callable, long due, long period) {
            super(callable);
            this.due = due;
            this.period = period;
            this.order = ManualScheduler.this.order++;
        }

        @Override
        public void run() {
            if (period == 0) {
                super.run();
            } else if (runAndReset() && !isCancelled()) {
                due += period;
                timed.add(this);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            timed.remove(this);
            return super.cancel(mayInterruptIfRunning);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
