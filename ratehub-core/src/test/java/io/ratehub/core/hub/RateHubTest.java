package io.ratehub.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.MutableClock;
import io.ratehub.core.ValidationException;
import io.ratehub.core.fixtures.ManualScheduler;
import io.ratehub.core.fixtures.TestOutbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateHubTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RateHub hub = RateHub.builder().scheduler(scheduler).build();
    private static final String RATES = Channels.storeRates("s1");
    private static final String LOCKS = Channels.storeLocks("s1");

    private static String value(String v) {
        return "{\"v\":\"" + v + "\"}";
    }

    private static List<String> values(List<JsonNode> updates) {
        List<String> out = new ArrayList<>();
        for (JsonNode u : updates) {
            out.add(u.path("key").asText("") + "=" + u.get("event").get("v").asText());
        }
        return out;
    }

    /** USD/CAD=1, EUR/CAD=2, USD/CAD=3 on RATES: seq 1 to 3, the channel's state EUR/CAD=2, USD/CAD=3. */
    private void publishThreeValues() {
        hub.publishState(RATES, "USD/CAD", value("1"));
        hub.publishState(RATES, "EUR/CAD", value("2"));
        hub.publishState(RATES, "USD/CAD", value("3"));
    }

    @Test
    void stateSubscriberGetsTheSnapshotThenLiveUpdatesInSequenceOrder() {
        publishThreeValues();
        TestOutbound out = TestOutbound.autoCompleting();
        HubSession s = hub.openSession(out, SessionSettings.defaults());
        SubscribeResult r = s.subscribe(RATES, null, res -> "{\"type\":\"subscribed\",\"seq\":" + res.headSeq() + "}");
        hub.publishState(RATES, "EUR/CAD", value("4"));
        scheduler.runAll();

        assertThat(r.recovery()).isEqualTo(Recovery.SNAPSHOT);
        assertThat(r.headSeq()).isEqualTo(3);
        assertThat(r.sent()).isEqualTo(2);
        List<JsonNode> messages = out.messages();
        assertThat(messages.get(0).get("type").asText()).isEqualTo("subscribed");
        assertThat(values(out.updates())).containsExactly("EUR/CAD=2", "USD/CAD=3", "EUR/CAD=4");
        assertThat(out.updates()).extracting(u -> u.get("seq").asLong()).containsExactly(2L, 3L, 4L);
        assertThat(out.updates()).allSatisfy(u -> assertThat(u.get("epoch").asText()).isEqualTo(r.epoch()));
    }

    @Test
    void attachingToAnEngineThatAlreadyHasRatesPublishesThemAtOnce() {
        io.ratehub.core.engine.RateEngine engine = io.ratehub.core.engine.RateEngine.builder().build();
        io.ratehub.core.model.CurrencyPair usdCad = io.ratehub.core.model.CurrencyPair.parse("USD/CAD");
        io.ratehub.core.model.CurrencyPair eurCad = io.ratehub.core.model.CurrencyPair.parse("EUR/CAD");
        engine.setSpread("s1", usdCad, io.ratehub.core.model.SpreadRule.bps("50", "50"), "owner");
        engine.setSpread("s1", eurCad, io.ratehub.core.model.SpreadRule.bps("50", "50"), "owner");
        java.time.Instant now = engine.clock().instant();
        engine.onQuote(new io.ratehub.core.model.MarketQuote(usdCad, new java.math.BigDecimal("1.36000"),
                new java.math.BigDecimal("1.36020"), "a", now));
        engine.onQuote(new io.ratehub.core.model.MarketQuote(eurCad, new java.math.BigDecimal("1.50000"),
                new java.math.BigDecimal("1.50020"), "a", now));
        // EUR/CAD's key was already published here (a newer value must not be replaced by the engine's copy)
        hub.publishState(RATES, "EUR/CAD", value("newer"));
        hub.attach(engine);

        TestOutbound out = TestOutbound.autoCompleting();
        HubSession s = hub.openSession(out, SessionSettings.defaults());
        SubscribeResult r = s.subscribe(RATES, null);
        SubscribeResult market = s.subscribe(Channels.MARKET, null);
        scheduler.runAll();
        assertThat(r.sent()).isEqualTo(2);
        assertThat(market.sent()).isEqualTo(2);
        List<JsonNode> rates = out.updates().stream().filter(u -> u.get("channel").asText().equals(RATES)).toList();
        assertThat(rates).extracting(u -> u.get("key").asText()).containsExactly("EUR/CAD", "USD/CAD");
        assertThat(rates.get(0).get("event").get("v").asText()).isEqualTo("newer");
        assertThat(rates.get(1).at("/event/type").asText()).isEqualTo("rate_update");
        assertThat(rates.get(1).at("/event/rate/buy").asText())
                .isEqualTo(engine.storeRate("s1", usdCad).orElseThrow().buy().toPlainString());
    }

    @Test
    void aSlowStateSubscriberGetsOnlyTheNewestValuePerKeyAndMemoryStaysBounded() {
        TestOutbound out = TestOutbound.holding();
        HubSession s = hub.openSession(out, SessionSettings.defaults());
        s.subscribe(RATES, null);
        hub.publishState(RATES, "USD/CAD", value("first"));
        scheduler.runAll(); // "first" is now in flight and held by the transport
        for (int i = 0; i < 10_000; i++) {
            hub.publishState(RATES, "USD/CAD", value("u" + i));
            hub.publishState(RATES, "EUR/CAD", value("e" + i));
        }
        scheduler.runAll();
        assertThat(s.queueDepth()).isEqualTo(2);
        assertThat(s.conflated()).isEqualTo(2 * 10_000 - 2);

        out.release();
        scheduler.runAll();
        assertThat(values(out.updates())).containsExactly("USD/CAD=first", "USD/CAD=u9999", "EUR/CAD=e9999");
        assertThat(out.closeCode).isNull();
    }

    @Test
    void conflationNeverDeliversAnOlderValueAfterANewerOne() {
        TestOutbound out = TestOutbound.holding();
        HubSession s = hub.openSession(out, SessionSettings.defaults());
        s.subscribe(RATES, null);
        Map<String, Long> lastSeqByKey = new HashMap<>();
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 7; i++) {
                hub.publishState(RATES, "K" + (i * round % 5), value(round + "-" + i));
            }
            scheduler.runAll();
            if (round % 3 == 0) {
                out.completeNext();
                scheduler.runAll();
            }
        }
        out.release();
        scheduler.runAll();
        long previous = 0;
        for (JsonNode u : out.updates()) {
            long seq = u.get("seq").asLong();
            assertThat(seq).as("per channel, sequence numbers only grow").isGreaterThan(previous);
            previous = seq;
            lastSeqByKey.put(u.get("key").asText(), seq);
        }
        // Every key ends at the channel's newest value for it.
        for (int k = 0; k < 5; k++) {
            String key = "K" + k;
            if (lastSeqByKey.containsKey(key)) {
                assertThat(lastSeqByKey.get(key)).isEqualTo(latestSeqOf(key));
            }
        }
    }

    private long latestSeqOf(String key) {
        TestOutbound probe = TestOutbound.autoCompleting();
        hub.openSession(probe, SessionSettings.defaults()).subscribe(RATES, null);
        scheduler.runAll();
        for (JsonNode u : probe.updates()) {
            if (u.get("key").asText().equals(key)) {
                return u.get("seq").asLong();
            }
        }
        throw new AssertionError("no " + key);
    }

    @Test
    void anEventSubscriberThatFallsBehindIsCutOffWithTheSlowConsumerCode() {
        TestOutbound slow = TestOutbound.holding();
        HubSession s = hub.openSession(slow, SessionSettings.builder().maxQueuedEvents(100).build());
        s.subscribe(LOCKS, null);
        TestOutbound fast = TestOutbound.autoCompleting();
        hub.openSession(fast, SessionSettings.defaults()).subscribe(LOCKS, null);
        for (int i = 0; i < 150; i++) {
            hub.publishEvent(LOCKS, value("e" + i));
            scheduler.runAll();
        }
        assertThat(slow.closeCode).isEqualTo(HubSession.SLOW_CONSUMER);
        assertThat(s.isClosed()).isTrue();
        assertThat(s.queueDepth()).isZero();
        assertThat(hub.channelStats().get(LOCKS).subscribers()).isEqualTo(1);
        assertThat(fast.updates()).hasSize(150);
        assertThat(fast.closeCode).isNull();
    }

    @Test
    void aReturningEventSubscriberGetsExactlyTheMissedEventsInOrder() {
        TestOutbound first = TestOutbound.autoCompleting();
        HubSession s = hub.openSession(first, SessionSettings.defaults());
        s.subscribe(LOCKS, null);
        for (int i = 1; i <= 5; i++) {
            hub.publishEvent(LOCKS, value("e" + i));
        }
        scheduler.runAll();
        JsonNode last = first.updates().get(2); // pretend the link dropped after the third
        s.disconnected();
        for (int i = 6; i <= 8; i++) {
            hub.publishEvent(LOCKS, value("e" + i));
        }
        TestOutbound again = TestOutbound.autoCompleting();
        SubscribeResult r = hub.openSession(again, SessionSettings.defaults())
                .subscribe(LOCKS, new Position(last.get("epoch").asText(), last.get("seq").asLong()));
        scheduler.runAll();
        assertThat(r.recovery()).isEqualTo(Recovery.REPLAY);
        assertThat(values(again.updates())).containsExactly("=e4", "=e5", "=e6", "=e7", "=e8");
    }

    @Test
    void whenHistoryNoLongerReachesBackTheLossIsSaidPlainly() {
        RateHub small = RateHub.builder().scheduler(scheduler).maxHistory(3).build();
        for (int i = 1; i <= 10; i++) {
            small.publishEvent(LOCKS, value("e" + i));
        }
        String epoch = small.head(LOCKS).orElseThrow().epoch();
        TestOutbound out = TestOutbound.autoCompleting();
        SubscribeResult r = small.openSession(out, SessionSettings.defaults()).subscribe(LOCKS, new Position(epoch, 2));
        scheduler.runAll();
        assertThat(r.recovery()).isEqualTo(Recovery.LOST);
        assertThat(r.lostFrom()).isEqualTo(3);
        assertThat(r.lostTo()).isEqualTo(7);
        assertThat(values(out.updates())).containsExactly("=e8", "=e9", "=e10");
    }

    @Test
    void aReturningStateSubscriberGetsWhatChangedOrAFlaggedResetSnapshot() {
        RateHub small = RateHub.builder().scheduler(scheduler).maxHistory(5).build();
        small.publishState(RATES, "A", value("a1"));
        small.publishState(RATES, "B", value("b1"));
        small.publishState(RATES, "C", value("c1"));
        Position seen = small.head(RATES).orElseThrow();
        small.publishState(RATES, "A", value("a2"));
        small.publishState(RATES, "A", value("a3"));
        small.removeState(RATES, "C", value("gone"));

        TestOutbound delta = TestOutbound.autoCompleting();
        SubscribeResult r = small.openSession(delta, SessionSettings.defaults()).subscribe(RATES, seen);
        scheduler.runAll();
        assertThat(r.recovery()).isEqualTo(Recovery.DELTA);
        assertThat(values(delta.updates())).containsExactly("A=a3", "C=gone");
        assertThat(delta.updates().get(1).get("removed").asBoolean()).isTrue();

        for (int i = 0; i < 10; i++) {
            small.publishState(RATES, "B", value("b" + (i + 2)));
        }
        TestOutbound reset = TestOutbound.autoCompleting();
        SubscribeResult r2 = small.openSession(reset, SessionSettings.defaults()).subscribe(RATES, seen);
        scheduler.runAll();
        assertThat(r2.recovery()).isEqualTo(Recovery.RESET);
        assertThat(values(reset.updates())).containsExactly("A=a3", "B=b11");

        TestOutbound otherEpoch = TestOutbound.autoCompleting();
        SubscribeResult r3 = small.openSession(otherEpoch, SessionSettings.defaults())
                .subscribe(RATES, new Position("elsewhere-1", 2));
        assertThat(r3.recovery()).isEqualTo(Recovery.RESET);
    }

    @Test
    void aBatchingWindowCollectsUpdatesIntoOneFrame() {
        TestOutbound out = TestOutbound.autoCompleting();
        HubSession s = hub.openSession(out, SessionSettings.builder().batchWindow(Duration.ofMillis(50)).build());
        s.subscribe(LOCKS, null);
        for (int i = 0; i < 10; i++) {
            hub.publishEvent(LOCKS, value("e" + i));
            scheduler.runAll();
        }
        assertThat(out.frames).isEmpty();
        scheduler.advance(Duration.ofMillis(49));
        assertThat(out.frames).isEmpty();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(out.frames).hasSize(1);
        assertThat(out.frames.get(0)).startsWith("{\"type\":\"batch\"");
        assertThat(out.updates()).hasSize(10);
    }

    @Test
    void withoutConflationEveryRateOfABatchingWindowIsSentInOrder() {
        SessionSettings settings = SessionSettings.builder().batchWindow(Duration.ofMillis(50)).conflation(false)
                .build();
        assertThat(settings.mutate().build().conflation()).isFalse();
        assertThat(settings.toString()).contains("conflation=false");
        TestOutbound out = TestOutbound.autoCompleting();
        HubSession s = hub.openSession(out, settings);
        s.subscribe(RATES, null);
        hub.publishState(RATES, "USD/CAD", value("1"));
        hub.publishState(RATES, "USD/CAD", value("2"));
        hub.publishState(RATES, "EUR/CAD", value("3"));
        hub.publishState(RATES, "USD/CAD", value("4"));
        scheduler.runAll();
        assertThat(out.frames).isEmpty();
        scheduler.advance(Duration.ofMillis(50));
        assertThat(out.frames).hasSize(1);
        assertThat(values(out.updates())).containsExactly("USD/CAD=1", "USD/CAD=2", "EUR/CAD=3", "USD/CAD=4");
        assertThat(out.updates()).extracting(u -> u.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(s.conflated()).isZero();
    }

    @Test
    void withoutConflationRatesPastTheBoundConflateAndOnlyEventsCutTheSessionOff() {
        TestOutbound out = TestOutbound.holding();
        HubSession s = hub.openSession(out, SessionSettings.builder().conflation(false).maxQueuedEvents(3).build());
        s.subscribe(RATES, null);
        hub.publishState(RATES, "USD/CAD", value("first"));
        scheduler.runAll(); // in flight, held by the transport
        for (int i = 1; i <= 5; i++) {
            hub.publishState(RATES, "USD/CAD", value("a" + i));
        }
        scheduler.runAll();
        assertThat(s.queueDepth()).as("a1-a3 kept one by one, then one conflated value").isEqualTo(4);
        assertThat(s.conflated()).isEqualTo(1);
        assertThat(out.closeCode).isNull();

        out.release();
        scheduler.runAll();
        assertThat(values(out.updates())).containsExactly("USD/CAD=first", "USD/CAD=a1", "USD/CAD=a2", "USD/CAD=a3",
                "USD/CAD=a5");

        TestOutbound slow = TestOutbound.holding();
        HubSession t = hub.openSession(slow, SessionSettings.builder().conflation(false).maxQueuedEvents(3).build());
        t.subscribe(RATES, null, null);
        t.subscribe(LOCKS, null);
        scheduler.runAll();
        for (int i = 0; i < 5; i++) {
            hub.publishState(RATES, "EUR/CAD", value("r" + i));
        }
        for (int i = 0; i < 3; i++) {
            hub.publishEvent(LOCKS, value("e" + i));
        }
        scheduler.runAll();
        assertThat(slow.closeCode).as("a full rate backlog and a full event queue, but no event over it").isNull();
        hub.publishEvent(LOCKS, value("e3"));
        scheduler.runAll();
        assertThat(slow.closeCode).isEqualTo(HubSession.SLOW_CONSUMER);
    }

    @Test
    void aValueHeldByARateCapNeverArrivesAfterANewerOne() {
        for (boolean conflation : new boolean[] {true, false}) {
            MutableClock clock = MutableClock.at("2026-11-21T09:00:00Z");
            RateHub capped = RateHub.builder().clock(clock).scheduler(scheduler).build();
            TestOutbound board = TestOutbound.autoCompleting();
            capped.openSession(board, SessionSettings.builder().conflation(conflation).build())
                    .subscribe(RATES, null, null, Duration.ofMillis(500));
            capped.publishState(RATES, "USD/CAD", value("u1"));
            scheduler.runAll();
            clock.advance(Duration.ofMillis(100));
            capped.publishState(RATES, "USD/CAD", value("u2")); // held: its timer is due in 400 ms
            scheduler.runAll();
            clock.advance(Duration.ofMillis(500)); // the interval is over before the timer has run
            capped.publishState(RATES, "USD/CAD", value("u3"));
            scheduler.runAll();
            scheduler.advance(Duration.ofSeconds(1)); // now the held u2's timer runs
            assertThat(values(board.updates())).as("conflation %s", conflation)
                    .containsExactly("USD/CAD=u1", "USD/CAD=u3");
        }
    }

    @Test
    void aRateCappedSubscriptionResumesFromASnapshot() {
        publishThreeValues();
        TestOutbound first = TestOutbound.autoCompleting();
        SubscribeResult r = hub.openSession(first, SessionSettings.defaults()).subscribe(RATES, null);
        TestOutbound out = TestOutbound.autoCompleting();
        SubscribeResult capped = hub.openSession(out, SessionSettings.defaults())
                .subscribe(RATES, new Position(r.epoch(), 3), null, Duration.ofMillis(500));
        scheduler.runAll();
        assertThat(capped.recovery()).isEqualTo(Recovery.SNAPSHOT);
        assertThat(values(out.updates())).containsExactly("EUR/CAD=2", "USD/CAD=3");
    }

    @Test
    void aValueHeldByARateCapIsNotDeliveredAfterUnsubscribing() {
        MutableClock clock = MutableClock.at("2026-11-21T09:00:00Z");
        RateHub capped = RateHub.builder().clock(clock).scheduler(scheduler).build();
        TestOutbound board = TestOutbound.autoCompleting();
        HubSession s = capped.openSession(board, SessionSettings.defaults());
        s.subscribe(RATES, null, null, Duration.ofMillis(500));
        capped.publishState(RATES, "USD/CAD", value("u1"));
        scheduler.runAll();
        clock.advance(Duration.ofMillis(100));
        capped.publishState(RATES, "USD/CAD", value("u2")); // held
        scheduler.runAll();
        assertThat(s.unsubscribe(RATES)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(values(board.updates())).containsExactly("USD/CAD=u1");
    }

    @Test
    void withoutAWindowUpdatesArrivingDuringASendShareTheNextFrame() {
        TestOutbound out = TestOutbound.holding();
        HubSession s = hub.openSession(out, SessionSettings.builder().maxBatch(4).build());
        s.subscribe(LOCKS, null);
        hub.publishEvent(LOCKS, value("e0"));
        scheduler.runAll();
        for (int i = 1; i <= 6; i++) {
            hub.publishEvent(LOCKS, value("e" + i));
        }
        scheduler.runAll();
        out.release();
        scheduler.runAll();
        assertThat(out.frames).hasSize(3); // e0 alone, then a batch of 4, then a batch of 2
        assertThat(values(out.updates())).containsExactly("=e0", "=e1", "=e2", "=e3", "=e4", "=e5", "=e6");
    }

    @Test
    void controlFramesGoAheadOfQueuedUpdatesInTheirOwnOrder() {
        TestOutbound out = TestOutbound.holding();
        HubSession s = hub.openSession(out, SessionSettings.defaults());
        s.subscribe(LOCKS, null);
        hub.publishEvent(LOCKS, value("e0"));
        scheduler.runAll();
        hub.publishEvent(LOCKS, value("e1"));
        s.sendControl("{\"type\":\"reply\",\"n\":1}");
        s.sendControl("{\"type\":\"reply\",\"n\":2}");
        out.release();
        scheduler.runAll();
        assertThat(out.messages()).extracting(m -> m.get("type").asText() + m.path("n").asText(""))
                .containsExactly("update", "reply1", "reply2", "update");
    }

    @Test
    void aRateCappedSubscriptionGetsEachKeyAtMostOncePerIntervalAndTheNewestLast() {
        MutableClock clock = MutableClock.at("2026-11-21T09:00:00Z");
        RateHub capped = RateHub.builder().clock(clock).scheduler(scheduler).build();
        TestOutbound board = TestOutbound.autoCompleting();
        TestOutbound calculator = TestOutbound.autoCompleting();
        capped.openSession(board, SessionSettings.defaults()).subscribe(RATES, null, null, Duration.ofMillis(500));
        capped.openSession(calculator, SessionSettings.defaults()).subscribe(RATES, null);
        for (int i = 1; i <= 4; i++) {
            capped.publishState(RATES, "USD/CAD", value("u" + i));
            capped.publishState(RATES, "EUR/CAD", value("e" + i));
            scheduler.runAll();
            clock.advance(Duration.ofMillis(100));
            scheduler.advance(Duration.ofMillis(100));
        }
        assertThat(values(board.updates())).containsExactly("USD/CAD=u1", "EUR/CAD=e1");
        clock.advance(Duration.ofMillis(100));
        scheduler.advance(Duration.ofMillis(100));
        assertThat(values(board.updates())).containsExactly("USD/CAD=u1", "EUR/CAD=e1", "USD/CAD=u4", "EUR/CAD=e4");
        assertThat(values(calculator.updates())).hasSize(8);
        clock.advance(Duration.ofSeconds(5));
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(board.updates()).hasSize(4);
    }

    @Test
    void aRateCapIsOnlyForStateChannels() {
        HubSession s = hub.openSession(TestOutbound.autoCompleting(), SessionSettings.defaults());
        assertThatThrownBy(() -> s.subscribe(LOCKS, null, null, Duration.ofMillis(500)))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void privateMessagesWaitForTheirUserAndArriveByPriorityThenOrder() {
        MutableClock clock = MutableClock.at("2026-11-21T09:00:00Z");
        RateHub box = RateHub.builder().clock(clock).scheduler(scheduler).maxPrivateMessages(4).build();
        String alice = Channels.user("alice");
        box.sendToUser("alice", value("low-1"), Priority.LOW, null);
        box.sendToUser("alice", value("urgent-1"), Priority.URGENT, null);
        box.sendToUser("alice", value("normal-1"), Priority.NORMAL, Duration.ofMinutes(1));
        box.sendToUser("alice", value("high-1"), Priority.HIGH, null);
        box.sendToUser("alice", value("urgent-2"), Priority.URGENT, null); // box full: low-1 makes room
        clock.advance(Duration.ofMinutes(2)); // normal-1 expires

        TestOutbound out = TestOutbound.autoCompleting();
        HubSession s = box.openSession(out, SessionSettings.defaults());
        SubscribeResult r = s.subscribe(alice, null);
        scheduler.runAll();
        assertThat(r.recovery()).isEqualTo(Recovery.REPLAY);
        assertThat(values(out.updates())).containsExactly("=urgent-1", "=urgent-2", "=high-1");
        assertThat(out.updates().get(0).get("priority").asText()).isEqualTo("URGENT");

        box.sendToUser("alice", value("live"), Priority.LOW, null);
        scheduler.runAll();
        assertThat(values(out.updates())).endsWith("=live");

        s.disconnected();
        TestOutbound again = TestOutbound.autoCompleting();
        SubscribeResult r2 = box.openSession(again, SessionSettings.defaults()).subscribe(alice, null);
        scheduler.runAll();
        assertThat(r2.recovery()).as("everything was delivered once already").isEqualTo(Recovery.LIVE);
        assertThat(again.updates()).isEmpty();
    }

    @Test
    void aReturningUserWithAPositionGetsWhatFollowedItByPriority() {
        RateHub box = RateHub.builder().scheduler(scheduler).build();
        String bob = Channels.user("bob");
        TestOutbound out = TestOutbound.autoCompleting();
        HubSession s = box.openSession(out, SessionSettings.defaults());
        s.subscribe(bob, null);
        box.sendToUser("bob", value("m1"), Priority.NORMAL, null);
        scheduler.runAll();
        JsonNode seen = out.updates().get(0);
        s.disconnected();
        box.sendToUser("bob", value("m2"), Priority.LOW, null);
        box.sendToUser("bob", value("m3"), Priority.HIGH, null);
        TestOutbound back = TestOutbound.autoCompleting();
        SubscribeResult r = box.openSession(back, SessionSettings.defaults())
                .subscribe(bob, new Position(seen.get("epoch").asText(), seen.get("seq").asLong()));
        scheduler.runAll();
        assertThat(r.recovery()).isEqualTo(Recovery.REPLAY);
        assertThat(values(back.updates())).containsExactly("=m3", "=m2");
    }

    @Test
    void unknownChannelsAndWrongKindsAreRefused() {
        HubSession s = hub.openSession(TestOutbound.autoCompleting(), SessionSettings.defaults());
        assertThatThrownBy(() -> s.subscribe("nope", null)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("channel");
        assertThatThrownBy(() -> hub.publishEvent(RATES, value("x"))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> hub.publishState(LOCKS, "k", value("x"))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> hub.publishState(RATES, "bad key\"", value("x")))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> hub.publishEvent(LOCKS, "hello")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("JSON object");
        assertThat(hub.publishEvent(LOCKS, (Object) java.util.Map.of("text", "hello"))).isPositive();
    }

    @Test
    void closingTheHubClosesEverySessionGoingAway() {
        TestOutbound a = TestOutbound.autoCompleting();
        TestOutbound b = TestOutbound.autoCompleting();
        hub.openSession(a, SessionSettings.defaults()).subscribe(RATES, null);
        hub.openSession(b, SessionSettings.defaults());
        hub.close("maintenance");
        assertThat(a.closeCode).isEqualTo(HubSession.GOING_AWAY);
        assertThat(b.closeReason).isEqualTo("maintenance");
        assertThat(hub.sessionCount()).isZero();
        assertThatThrownBy(() -> hub.openSession(TestOutbound.autoCompleting(), SessionSettings.defaults()))
                .isInstanceOf(IllegalStateException.class);
    }
}
