package io.ratehub.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The process's standard streams, swapped for the duration of a test: output and error captured, input fed line by
 * line. The commands under test print to System.out and read System.in, as they do from a terminal.
 */
final class Stdio implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream oldOut = System.out;
    private final PrintStream oldErr = System.err;
    private final InputStream oldIn = System.in;
    private final PipedOutputStream input;

    Stdio() {
        try {
            input = new PipedOutputStream();
            System.setIn(new PipedInputStream(input, 1 << 16));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Types a line on standard input. */
    void type(String line) {
        try {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends standard input. */
    void endInput() {
        try {
            input.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (up to {@code timeout}) until the output satisfies {@code condition}; fails showing the output. */
    String awaitOut(Predicate<String> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String o = out();
            if (condition.test(o)) {
                return o;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; output so far:\n" + o + "\nerr:\n" + err());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** Waits until the output contains {@code text}. */
    String awaitOut(String text) {
        return awaitOut(o -> o.contains(text), Duration.ofSeconds(20), "'" + text + "'");
    }

    @Override
    public void close() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        System.setIn(oldIn);
        try {
            input.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
