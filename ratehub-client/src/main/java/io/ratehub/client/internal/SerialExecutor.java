package io.ratehub.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Runs tasks one at a time, in submission order, on whatever executor it is given. */
public final class SerialExecutor implements Executor {
    private final Executor base;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    /** @param base where tasks actually run */
    public SerialExecutor(Executor base) {
        this.base = base;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        base.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SerialExecutor.class).error("a listener task failed", e);
            }
        }
    }
}
