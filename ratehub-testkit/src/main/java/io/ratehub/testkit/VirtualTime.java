package io.ratehub.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time that moves only when a test says so: a {@link Clock} and a {@link ScheduledExecutorService} for the engine,
 * the hub, the protocol and the clients of an {@link InMemoryRateHub}.
 *
 * <p>Work submitted to run now runs at once, in order, on one worker thread of its own (so the kit behaves like a
 * real system and a test waits for results with deadlines). Work scheduled for later waits until
 * {@link #advance(Duration)} moves the clock past its due time; {@code advance} returns once everything it made due,
 * and everything that work started, has run. Overrides expire, locks expire, sources go stale, heartbeats time out
 * and reconnect backoffs elapse in microseconds of real time.
 *
 * <p>Thread-safe.
 */
public final class VirtualTime {
    private final Object lock = new Object();
    private final ExecutorService worker;
    private final PriorityQueue<Timed<?>> timed = new PriorityQueue<>(
            Comparator.<Timed<?>>comparingLong(t -> t.due).thenComparingLong(t -> t.order));
    private final Clock clock = new VirtualClock();
    private final Scheduler scheduler = new Scheduler();
    private volatile long nowNanos;
    private final long originNanos;
    private final Instant origin;
    private long order;
    private int busy; // tasks submitted to the worker and not finished; guarded by lock

    /** Virtual time starting at {@code start}. */
    public VirtualTime(Instant start) {
        this.origin = start;
        this.originNanos = 0;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ratehub-virtual-time");
            t.setDaemon(true);
            return t;
        });
    }

    /** The clock. */
    public Clock clock() {
        return clock;
    }

    /** The scheduler. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The current virtual instant. */
    public Instant now() {
        return origin.plusNanos(nowNanos - originNanos);
    }

    /**
     * Moves time forward by {@code d}, running every task that falls due in order (each at its due time), and
     * returns when the system is idle again.
     */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + d);
        }
        long target = nowNanos + d.toNanos();
        awaitIdle();
        while (true) {
            Timed<?> next;
            synchronized (lock) {
                next = timed.peek();
                if (next == null || next.due > target) {
                    break;
                }
                timed.poll();
                nowNanos = Math.max(nowNanos, next.due);
            }
            enqueue(next);
            awaitIdle();
        }
        nowNanos = target;
        awaitIdle();
    }

    /** Waits until no task is running or queued to run now (scheduled tasks do not count). */
    public void awaitIdle() {
        if (Thread.currentThread().getName().equals("ratehub-virtual-time")) {
            throw new IllegalStateException("awaitIdle() from the virtual-time worker would wait for itself");
        }
        synchronized (lock) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (busy > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("virtual time: work still running after 30 s of real time");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }

    /** Tasks waiting for virtual time. */
    public int scheduledCount() {
        synchronized (lock) {
            return timed.size();
        }
    }

    private void enqueue(Runnable r) {
        if (worker.isShutdown()) {
            return; // the kit is closed: late work from closing clients is dropped
        }
        synchronized (lock) {
            busy++;
        }
        try {
            worker.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(VirtualTime.class).error("a task failed", e);
                } finally {
                    synchronized (lock) {
                        busy--;
                        lock.notifyAll();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            synchronized (lock) { // shut down meanwhile
                busy--;
                lock.notifyAll();
            }
        }
    }

    /** Stops the worker. */
    public void shutdown() {
        worker.shutdownNow();
    }

    private final class VirtualClock extends Clock {
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
            return now();
        }
    }

    private final class Timed<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long due;
        final long order;

        Timed(Callable<V> c, long due) {
            super(c);
            this.due = due;
            synchronized (lock) {
                this.order = VirtualTime.this.order++;
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    private final class Scheduler extends AbstractExecutorService implements ScheduledExecutorService {
        private volatile boolean shut;

        @Override
        public void execute(Runnable command) {
            enqueue(command);
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
            Timed<V> t = new Timed<>(callable, nowNanos + Math.max(0, unit.toNanos(delay)));
            if (delay <= 0) {
                enqueue(t);
            } else {
                synchronized (lock) {
                    timed.add(t);
                }
            }
            return t;
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
                                                      TimeUnit unit) {
            return periodic(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                         TimeUnit unit) {
            return periodic(command, initialDelay, delay, unit);
        }

        private ScheduledFuture<?> periodic(Runnable command, long initialDelay, long period, TimeUnit unit) {
            PeriodicHandle handle = new PeriodicHandle();
            long p = Math.max(1, unit.toNanos(period));
            handle.arm(command, nowNanos + Math.max(0, unit.toNanos(initialDelay)), p);
            return handle;
        }

        @Override
        public void shutdown() {
            shut = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shut = true;
            return new ArrayList<>();
        }

        @Override
        public boolean isShutdown() {
            return shut;
        }

        @Override
        public boolean isTerminated() {
            return shut;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return shut;
        }
    }

    /** A periodic task: each run schedules the next until cancelled. */
    private final class PeriodicHandle implements ScheduledFuture<Object> {
        private volatile boolean cancelled;
        private volatile Timed<Object> current;

        void arm(Runnable command, long due, long period) {
            Timed<Object> t = new Timed<>(() -> {
                if (!cancelled) {
                    command.run();
                    if (!cancelled) {
                        arm(command, nowNanos + period, period);
                    }
                }
                return null;
            }, due);
            current = t;
            synchronized (lock) {
                timed.add(t);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            Timed<Object> t = current;
            return t == null ? 0 : t.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            Timed<Object> t = current;
            if (t != null) {
                synchronized (lock) {
                    timed.remove(t);
                }
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("periodic");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("periodic");
        }
    }
}
