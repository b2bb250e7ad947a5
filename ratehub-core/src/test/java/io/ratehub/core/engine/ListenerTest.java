package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.ValidationException;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ListenerTest {

    @Test
    void throwingListenerBreaksNeitherTheEngineNorOtherListeners() {
        EngineFixture f = new EngineFixture();
        AtomicInteger thrown = new AtomicInteger();
        f.engine.addListener(e -> {
            thrown.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });
        EventRecorder after = new EventRecorder();
        f.engine.addListener(after);

        TickOutcome outcome = f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        f.engine.setSpread(EngineFixture.STORE, USD_CAD, io.ratehub.core.model.SpreadRule.bps("10", "10"), "o");
        RateLock l = f.engine.lock(LockTest.sell("10.00"));
        f.advance(Duration.ofMinutes(5));

        assertThat(outcome).isEqualTo(TickOutcome.ACCEPTED);
        assertThat(f.market(USD_CAD).mid()).isEqualByComparingTo("1.00000");
        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
        assertThat(thrown.get()).isPositive();
        assertThat(after.types()).contains("market_data_update", "spread_set", "rate_update", "rate_lock_created",
                "source_stale", "pair_stale", "rate_lock_expired");
        assertThat(after.all()).hasSize(thrown.get());
        assertThat(f.events.all()).isEqualTo(after.all());
    }

    @Test
    void listenersAreCalledInRegistrationOrder() {
        EngineFixture f = new EngineFixture();
        List<String> calls = new CopyOnWriteArrayList<>();
        f.engine.addListener(e -> calls.add("first:" + e.type()));
        f.engine.addListener(e -> calls.add("second:" + e.type()));

        f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");

        assertThat(calls).containsExactly("first:market_data_update", "second:market_data_update");
    }

    @Test
    void removedListenerGetsNothingMoreAndRemovingAgainDoesNothing() {
        EngineFixture f = new EngineFixture();
        EventRecorder removed = new EventRecorder();
        ListenerRegistration reg = f.engine.addListener(removed);
        f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        assertThat(removed.all()).hasSize(1);

        reg.remove();
        reg.remove();
        f.tick(USD_CAD, "feed-a", "1.00001", "1.00001");

        assertThat(removed.all()).hasSize(1);
        assertThat(f.events.all()).as("the other listener still hears").hasSize(2);
    }

    @Test
    void registrationClosesLikeARemoval() {
        EngineFixture f = new EngineFixture();
        EventRecorder scoped = new EventRecorder();
        try (ListenerRegistration reg = f.engine.addListener(scoped)) {
            f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        }
        f.tick(USD_CAD, "feed-a", "1.00001", "1.00001");

        assertThat(scoped.all()).hasSize(1);
    }

    @Test
    void listenerMayRemoveItselfWhileBeingCalled() {
        EngineFixture f = new EngineFixture();
        AtomicReference<ListenerRegistration> self = new AtomicReference<>();
        List<RateEvent> seen = new ArrayList<>();
        self.set(f.engine.addListener(e -> {
            seen.add(e);
            self.get().remove();
        }));

        f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        f.tick(USD_CAD, "feed-a", "1.00001", "1.00001");

        assertThat(seen).hasSize(1);
        assertThat(f.events.all()).hasSize(2);
    }

    @Test
    void removingOneRegistrationTwiceLeavesAnotherRegistrationOfTheSameListener() {
        EngineFixture f = new EngineFixture();
        EventRecorder twice = new EventRecorder();
        ListenerRegistration first = f.engine.addListener(twice);
        f.engine.addListener(twice);

        first.remove();
        first.remove(); // documented as doing nothing

        f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
        assertThat(twice.all()).as("the second registration still delivers").hasSize(1);
    }

    @Test
    void nullListenerIsRefused() {
        EngineFixture f = new EngineFixture();

        ValidationException e = catchThrowableOfType(ValidationException.class, () -> f.engine.addListener(null));

        assertThat(e.field()).isEqualTo("listener");
    }
}
