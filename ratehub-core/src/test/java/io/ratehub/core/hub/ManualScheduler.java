package io.ratehub.core.hub;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
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
 * A single-threaded scheduler that runs nothing until the test says so: {@link #runAll()} runs queued tasks,
 * {@link #advance(Duration)} moves virtual time and runs what falls due. Deterministic hub tests use it.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Task<?>> timed = new PriorityQueue<>(Comparator.comparingLong(t -> t.due));
    private long nowNanos;
    private long seq;
    private boolean shutdown;

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long due;
        final long order = seq++;

        Task(Callable<V> c, long due) {
            super(c);
            this.due = due;
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

    /** Runs queued tasks (and tasks they queue) until none is left; returns how many ran. */
    synchronized int runAll() {
        int n = 0;
        Runnable r;
        while ((r = ready.poll()) != null) {
            r.run();
            n++;
        }
        return n;
    }

    /** Moves virtual time forward, running every task that falls due, in order, and what they queue. */
    synchronized void advance(Duration d) {
        long target = nowNanos + d.toNanos();
        runAll();
        while (!timed.isEmpty() && timed.peek().due <= target) {
            Task<?> t = timed.poll();
            nowNanos = Math.max(nowNanos, t.due);
            t.run();
            runAll();
        }
        nowNanos = target;
    }

    /** Tasks waiting for virtual time. */
    synchronized int timedCount() {
        return timed.size();
    }

    @Override
    public synchronized void execute(Runnable command) {
        ready.add(command);
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task<Object> t = new Task<>(() -> {
            command.run();
            return null;
        }, nowNanos + unit.toNanos(delay));
        timed.add(t);
        return t;
    }

    @Override
    public synchronized <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Task<V> t = new Task<>(callable, nowNanos + unit.toNanos(delay));
        timed.add(t);
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the hub");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                     TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the hub");
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(ready);
        ready.clear();
        timed.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && ready.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

}
