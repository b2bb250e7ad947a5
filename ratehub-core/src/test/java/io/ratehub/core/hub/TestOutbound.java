package io.ratehub.core.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A transport that records frames; it completes sends at once, or holds them until {@link #completeNext()}. */
final class TestOutbound implements Outbound {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<String> frames = new ArrayList<>();
    private final ArrayDeque<Consumer<Throwable>> held = new ArrayDeque<>();
    private boolean hold;
    Integer closeCode;
    String closeReason;

    static TestOutbound autoCompleting() {
        return new TestOutbound();
    }

    static TestOutbound holding() {
        TestOutbound t = new TestOutbound();
        t.hold = true;
        return t;
    }

    @Override
    public synchronized void send(String frame, Consumer<Throwable> done) {
        frames.add(frame);
        if (hold) {
            held.add(done);
        } else {
            done.accept(null);
        }
    }

    /** Completes the oldest held send. */
    void completeNext() {
        Consumer<Throwable> done;
        synchronized (this) {
            done = held.poll();
        }
        if (done != null) {
            done.accept(null);
        }
    }

    /** Stops holding and completes everything held, then completes sends at once. */
    void release() {
        synchronized (this) {
            hold = false;
        }
        while (true) {
            Consumer<Throwable> done;
            synchronized (this) {
                done = held.poll();
            }
            if (done == null) {
                return;
            }
            done.accept(null);
        }
    }

    @Override
    public synchronized void close(int code, String reason) {
        closeCode = code;
        closeReason = reason;
    }

    /** Every frame parsed; batches flattened into their updates, in order. */
    synchronized List<JsonNode> messages() {
        List<JsonNode> out = new ArrayList<>();
        for (String f : frames) {
            try {
                JsonNode n = JSON.readTree(f);
                if ("batch".equals(n.path("type").asText())) {
                    n.get("updates").forEach(out::add);
                } else {
                    out.add(n);
                }
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + f, e);
            }
        }
        return out;
    }

    /** Only the update messages. */
    synchronized List<JsonNode> updates() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : messages()) {
            if ("update".equals(n.path("type").asText())) {
                out.add(n);
            }
        }
        return out;
    }
}
