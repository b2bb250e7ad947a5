package io.ratehub.examples.load;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The control side of a benchmark target run as a child process: it prints {@code READY <port> <path>}, then answers
 * commands read from standard input, one line each: {@code RATE <ticksPerSecond>} (0 stops the market) answers
 * {@code OK}; {@code HEAP} collects garbage and answers {@code HEAP <usedBytes>}; {@code STATS} answers
 * {@code STATS <ticks> <updates>}; {@code STOP} or the end of input ends the process. The Node.js peer
 * (bench/node/server.js) speaks the same lines.
 */
public final class TargetProcess {
    private TargetProcess() {
    }

    /** Heap in use after a full collection (several, until the figure settles). */
    public static long heapAfterGc() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            LockSupport.parkNanos(50_000_000L);
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < 256 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /**
     * Runs the control loop on the calling thread until {@code STOP} or end of input. Standard output is the control
     * channel only: anything else printing to {@code System.out} goes to standard error from here on.
     *
     * @param rate sets the market's tick rate
     * @param stats {@code "<ticks> <updates>"}: ticks so far and updates handed to connections so far
     */
    public static void serve(int port, String path, IntConsumer rate, Supplier<String> stats) throws IOException {
        PrintStream control = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        control.println("READY " + port + " " + path);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.strip().split("\\s+");
            String answer;
            try {
                answer = switch (w[0]) {
                    case "RATE" -> {
                        int r = Integer.parseInt(w[1]);
                        if (r < 0) {
                            throw new IllegalArgumentException("rate must be >= 0");
                        }
                        rate.accept(r);
                        yield "OK";
                    }
                    case "HEAP" -> "HEAP " + heapAfterGc();
                    case "STATS" -> "STATS " + stats.get();
                    case "STOP" -> null;
                    default -> "ERR unknown command " + w[0];
                };
            } catch (RuntimeException e) {
                answer = "ERR " + e.getMessage();
            }
            if (answer == null) {
                return;
            }
            control.println(answer);
        }
    }

    /**
     * A thread that calls {@code tick} at the set rate, paced on {@link System#nanoTime()}: when it falls behind it
     * catches up in bursts rather than losing ticks.
     */
    public static final class Ticker extends Thread {
        private final Runnable tick;
        private volatile int perSecond;
        private volatile long generation;
        private volatile long ticks;
        private volatile boolean stopped;

        /** A daemon ticker, stopped (rate 0) until {@link #rate(int)}. */
        public Ticker(String name, Runnable tick) {
            super(name);
            this.tick = tick;
            setDaemon(true);
        }

        /** Sets the rate (ticks per second); 0 stops. */
        public void rate(int ticksPerSecond) {
            this.perSecond = ticksPerSecond;
            generation++;
            LockSupport.unpark(this);
        }

        /** Stops the thread for good. */
        public void shutdown() {
            stopped = true;
            generation++;
            LockSupport.unpark(this);
        }

        /** Ticks so far (read from any thread; approximate while running). */
        public long ticks() {
            return ticks;
        }

        @Override
        public void run() {
            while (true) {
                int r = perSecond;
                if (r == 0 || stopped) {
                    if (stopped) {
                        return;
                    }
                    LockSupport.park(this);
                    continue;
                }
                long gen = generation;
                long start = System.nanoTime();
                long n = 0;
                while (generation == gen) {
                    long due = start + n * 1_000_000_000L / r;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                        continue;
                    }
                    tick.run();
                    n++;
                    ticks++;
                }
            }
        }
    }
}
