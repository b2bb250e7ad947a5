package io.ratehub.core.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.fixtures.ManualScheduler;
import io.ratehub.core.fixtures.TestOutbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A frame that cannot be written ends its own session (1011) and nothing else: no frame is left in flight for good,
 * and every other session of the channel carries on (issue 12: one frame that never completed wedged a channel).
 */
class SendFailureTest {
    private static final String ALERTS = Channels.storeAlerts("s1");
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RateHub hub = RateHub.builder().scheduler(scheduler).build();

    /** How a transport fails a frame. */
    enum Failure {
        /** send() throws, without calling back (Tyrus throws java.lang.Error for text it cannot encode). */
        THROWS_ERROR,
        /** send() throws a runtime exception. */
        THROWS_RUNTIME,
        /** the completion reports the failure, later. */
        COMPLETES_WITH_ERROR
    }

    /** A transport that fails every frame holding {@code poison}, and records the rest. */
    private static final class PoisonedOutbound implements Outbound {
        final List<String> frames = new ArrayList<>();
        final Failure failure;
        final String poison;
        Integer closeCode;

        PoisonedOutbound(Failure failure, String poison) {
            this.failure = failure;
            this.poison = poison;
        }

        @Override
        public synchronized void send(String frame, Consumer<Throwable> done) {
            if (!frame.contains(poison)) {
                frames.add(frame);
                done.accept(null);
                return;
            }
            switch (failure) {
                case THROWS_ERROR -> throw new Error("cannot encode");
                case THROWS_RUNTIME -> throw new IllegalStateException("transport broke");
                default -> done.accept(new java.io.IOException("write failed"));
            }
        }

        @Override
        public synchronized void close(int code, String reason) {
            closeCode = code;
        }
    }

    /** A session subscribed to the alerts channel whose frames all go through. */
    private TestOutbound bystander() {
        TestOutbound out = TestOutbound.autoCompleting();
        hub.openSession(out, SessionSettings.defaults()).subscribe(ALERTS, null);
        return out;
    }

    private HubSession subscribed(Outbound out, SessionSettings settings) {
        HubSession s = hub.openSession(out, settings);
        s.subscribe(ALERTS, null);
        return s;
    }

    private static String event(String v) {
        return "{\"v\":\"" + v + "\"}";
    }

    private void assertOnlyTheFailingSessionEnded(HubSession failing, PoisonedOutbound out, TestOutbound otherOut) {
        scheduler.runAll();
        assertThat(failing.isClosed()).isTrue();
        assertThat(out.closeCode).isEqualTo(1011);
        assertThat(hub.sessions()).doesNotContain(failing).hasSize(1);
        hub.publishEvent(ALERTS, event("after"));
        scheduler.runAll();
        assertThat(otherOut.updates()).extracting(u -> u.path("event").path("v").asText()).endsWith("after");
        assertThat(out.frames).noneMatch(f -> f.contains("after"));
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void aSingleUpdateThatFails(Failure failure) {
        PoisonedOutbound out = new PoisonedOutbound(failure, "poison");
        HubSession failing = subscribed(out, SessionSettings.defaults());
        TestOutbound otherOut = bystander();

        hub.publishEvent(ALERTS, event("poison"));
        assertOnlyTheFailingSessionEnded(failing, out, otherOut);
        assertThat(otherOut.updates()).extracting(u -> u.path("event").path("v").asText())
                .containsExactly("poison", "after");
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void aBatchThatFails(Failure failure) {
        PoisonedOutbound out = new PoisonedOutbound(failure, "poison");
        HubSession failing = subscribed(out, SessionSettings.builder().batchWindow(Duration.ofMillis(50)).build());
        TestOutbound otherOut = bystander();

        hub.publishEvent(ALERTS, event("one"));
        hub.publishEvent(ALERTS, event("poison"));
        hub.publishEvent(ALERTS, event("three"));
        scheduler.runAll();
        scheduler.advance(Duration.ofMillis(50)); // the window passes: one batch frame of three updates, which fails
        assertOnlyTheFailingSessionEnded(failing, out, otherOut);
        assertThat(out.frames).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void aControlFrameThatFails(Failure failure) {
        PoisonedOutbound out = new PoisonedOutbound(failure, "poison");
        HubSession failing = subscribed(out, SessionSettings.defaults());
        TestOutbound otherOut = bystander();

        assertThat(failing.sendControl("{\"type\":\"reply\",\"result\":\"poison\"}")).isTrue();
        assertThat(failing.sendControl("{\"type\":\"pong\"}")).isFalse(); // closed: taken no more
        assertOnlyTheFailingSessionEnded(failing, out, otherOut);
    }

    @Test
    void aCloseThatFailsStillEndsTheSession() {
        Outbound broken = new Outbound() {
            @Override
            public void send(String frame, Consumer<Throwable> done) {
                done.accept(null);
            }

            @Override
            public void close(int code, String reason) {
                throw new IllegalStateException("already gone");
            }
        };
        HubSession failing = subscribed(broken, SessionSettings.defaults());
        TestOutbound otherOut = bystander();

        failing.closeAfterFlush(4029, "flood");
        scheduler.runAll();
        assertThat(failing.isClosed()).isTrue();
        assertThat(hub.sessions()).doesNotContain(failing);
        hub.publishEvent(ALERTS, event("after"));
        scheduler.runAll();
        assertThat(otherOut.updates()).extracting(u -> u.path("event").path("v").asText()).containsExactly("after");
    }
}
