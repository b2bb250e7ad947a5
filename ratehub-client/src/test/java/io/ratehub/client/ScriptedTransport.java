package io.ratehub.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.codec.JsonCodec;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A {@link ClientTransport} the test plays the server of, message by message: each {@link #open} is an
 * {@link Attempt} whose future the test completes (or that {@link #onOpen} completes inside {@code open()}), whose
 * sent messages the test reads, and into which the test feeds server messages. Not thread-safe: for tests on a
 * {@link ManualScheduler}.
 */
final class ScriptedTransport implements ClientTransport {
    static final JsonCodec CODEC = JsonCodec.create();

    final List<Attempt> attempts = new ArrayList<>();
    /** Runs inside {@code open()}, before it returns. Default: nothing (the test completes the future later). */
    Consumer<Attempt> onOpen = a -> { };
    /** Whether links can send WebSocket pings. */
    boolean canPing = true;

    @Override
    public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Listener listener) {
        Attempt a = new Attempt(listener);
        attempts.add(a);
        onOpen.accept(a);
        return a.future;
    }

    Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    /** One opened (or opening) link. */
    final class Attempt implements Link {
        final Listener listener;
        final CompletableFuture<Link> future = new CompletableFuture<>();
        final List<JsonNode> sent = new ArrayList<>();
        int pings;
        boolean answerPings;
        boolean failSends;
        boolean ended;
        int closeCode;

        Attempt(Listener listener) {
            this.listener = listener;
        }

        /** Completes the open future with this link. */
        Attempt opened() {
            future.complete(this);
            return this;
        }

        /** The server sends {@code json}. */
        Attempt receive(String json) {
            if (!ended) {
                listener.onText(json);
            }
            return this;
        }

        /** Messages the client sent with this {@code op}. */
        List<JsonNode> sent(String op) {
            return sent.stream().filter(m -> m.path("op").asText().equals(op)).toList();
        }

        /** The last subscribe the client sent for {@code channel}. */
        JsonNode subscribe(String channel) {
            List<JsonNode> s = sent("subscribe").stream()
                    .filter(m -> m.path("channel").asText().equals(channel)).toList();
            if (s.isEmpty()) {
                throw new AssertionError("no subscribe to " + channel + " was sent; sent: " + sent);
            }
            return s.get(s.size() - 1);
        }

        /** The server ends the link. */
        void end(int code, String reason) {
            if (!ended) {
                ended = true;
                listener.onClosed(code, reason);
            }
        }

        @Override
        public CompletableFuture<Void> send(String text) {
            if (failSends) {
                return CompletableFuture.failedFuture(new java.io.IOException("broken pipe (simulated)"));
            }
            if (!ended) {
                JsonNode m = CODEC.readTree(text);
                sent.add(m);
                if (answerPings && m.path("op").asText().equals("ping")) {
                    receive("{\"type\":\"pong\",\"time\":\"" + Frames.T0 + "\"}");
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean ping() {
            if (!canPing) {
                return false;
            }
            pings++;
            if (answerPings && !ended) {
                listener.onPong();
            }
            return true;
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
            end(code, reason);
        }
    }
}
