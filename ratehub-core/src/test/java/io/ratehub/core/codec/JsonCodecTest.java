package io.ratehub.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.MarketRate;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
    private static final Instant T = Instant.parse("2026-11-21T10:15:30.123Z");
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private final JsonCodec codec = JsonCodec.create();

    static List<RateEvent> oneOfEach() {
        MarketRate market = new MarketRate(USD_CAD, new BigDecimal("1.36120"), new BigDecimal("1.36140"),
                new BigDecimal("1.36130"), T, List.of("a", "b"), false);
        StoreRate store = new StoreRate("s1", USD_CAD, new BigDecimal("1.35450"), new BigDecimal("1.36810"),
                new BigDecimal("1.36130"), RateBasis.MARKET, T, null, false);
        RateOverride override = new RateOverride("s1", USD_CAD, new BigDecimal("1.35"), new BigDecimal("1.37"),
                "alice", "promo", T, T.plusSeconds(3600), true);
        ThresholdRule move = ThresholdRule.marketMove("s1", USD_CAD, new BigDecimal("1.5"), Duration.ofMinutes(5));
        RateLock lock = new RateLock("L-1", "s1", USD_CAD, Side.SELL, new BigDecimal("1000.00"),
                new BigDecimal("1.36810"), new BigDecimal("1368.10"), T, T.plusSeconds(300), LockStatus.ACTIVE,
                "terminal-1", null, null);
        RateLock done = lock.close(LockStatus.COMPLETED, T.plusSeconds(10), "tx-9");
        List<RateEvent> events = new ArrayList<>(List.of(
                new RateEvent.MarketRateUpdated(market, T),
                new RateEvent.PairStale(USD_CAD, market.asStale(), T),
                new RateEvent.PairLive(USD_CAD, market, T),
                new RateEvent.SourceStale(USD_CAD, "a", T.minusSeconds(11), T),
                new RateEvent.SourceOutlier(USD_CAD, "c", new BigDecimal("1.5"), new BigDecimal("1.3613"),
                        new BigDecimal("10.189"), T),
                new RateEvent.SourceRecovered(USD_CAD, "c", T),
                new RateEvent.StoreRateUpdated(store, T),
                new RateEvent.SpreadSet("s1", USD_CAD, SpreadRule.bps("50", "50.5"), "owner", T),
                new RateEvent.SpreadRemoved("s1", USD_CAD, "owner", T),
                new RateEvent.OverrideSet(override, T),
                new RateEvent.OverrideCleared("s1", USD_CAD, override, "bob", "done", T),
                new RateEvent.OverrideExpired(override, T),
                new RateEvent.ThresholdSet(move, "owner", T),
                new RateEvent.ThresholdRemoved(move, "owner", T),
                new RateEvent.ThresholdBreached(move, new BigDecimal("1.7"), new BigDecimal("1.3"),
                        new BigDecimal("1.3221"), T),
                new RateEvent.ThresholdCleared(move, BigDecimal.ZERO, T),
                new RateEvent.LockCreated(lock, T),
                new RateEvent.LockCompleted(done, T),
                new RateEvent.LockCancelled(lock.close(LockStatus.CANCELLED, T, null), "clerk", "customer left", T),
                new RateEvent.LockExpired(lock.close(LockStatus.EXPIRED, T, null), T)));
        return events;
    }

    @Test
    void everyEventTypeRoundTripsWithItsWireName() {
        List<RateEvent> events = oneOfEach();
        Set<String> seen = new HashSet<>();
        for (RateEvent e : events) {
            String json = codec.encodeEvent(e);
            assertThat(codec.readTree(json).get("type").asText()).isEqualTo(e.type());
            assertThat(codec.decodeEvent(json)).isEqualTo(e);
            seen.add(e.type());
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(RateEvent.TYPES);
    }

    @Test
    void pricesTravelAsPlainDecimalStringsWithTheirScale() {
        StoreRate store = new StoreRate("s1", USD_CAD, new BigDecimal("1.35400"), new BigDecimal("1E+1"),
                new BigDecimal("1.36130"), RateBasis.MARKET, T, null, false);
        JsonNode rate = codec.readTree(codec.encodeEvent(new RateEvent.StoreRateUpdated(store, T))).get("rate");
        assertThat(rate.get("buy").isTextual()).isTrue();
        assertThat(rate.get("buy").asText()).isEqualTo("1.35400");
        assertThat(rate.get("sell").asText()).isEqualTo("10");
        assertThat(rate.get("pair").asText()).isEqualTo("USD/CAD");
        assertThat(rate.get("asOf").asText()).isEqualTo("2026-11-21T10:15:30.123Z");
    }

    @Test
    void numbersOnInputAreReadExactlyNeverThroughADouble() {
        MarketQuote q = codec.decode("{\"pair\":\"USDCAD\",\"bid\":1.361200000001,"
                + "\"ask\":\"1.3614\",\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class);
        assertThat(q.bid()).isEqualTo(new BigDecimal("1.361200000001")); // same value and scale
    }

    @Test
    void malformedJsonNamesTheProblem() {
        assertThatThrownBy(() -> codec.decode("{\"pair\":", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .extracting(e -> ((ValidationException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aBadPriceNamesItsJsonField() {
        assertThatThrownBy(() -> codec.decode("{\"pair\":\"USD/CAD\",\"bid\":\"abc\",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("bid"));
    }

    @Test
    void aRecordsOwnValidationSurvivesDecoding() {
        assertThatThrownBy(() -> codec.decode("{\"pair\":\"USD/CAD\",\"bid\":\"1.5\",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("bid"))
                .hasMessageContaining("must be <= ask");
    }

    @Test
    void unknownPairIsRefusedWithItsCode() {
        assertThatThrownBy(() -> codec.decode("{\"pair\":\"ZZZ/CAD\",\"bid\":\"1.1\",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("ZZZ");
    }

    @Test
    void wrongTypesAndUnknownFieldsAreRefused() {
        assertThatThrownBy(() -> codec.decode("{\"pair\":42,\"bid\":\"1.1\",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("pair"));
        assertThatThrownBy(() -> codec.decode("{\"pair\":\"USD/CAD\",\"bid\":\"1.1\",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\",\"extra\":1}", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("extra"));
    }

    @Test
    void hugeNumbersAreRefusedWithoutExpandingThem() {
        assertThatThrownBy(() -> codec.decode("{\"pair\":\"USD/CAD\",\"bid\":\"1e999999999\",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("bid"));
        String longNumber = "1." + "1".repeat(5000);
        assertThatThrownBy(() -> codec.decode("{\"pair\":\"USD/CAD\",\"bid\":" + longNumber + ",\"ask\":\"1.2\","
                + "\"source\":\"a\",\"time\":\"2026-11-21T10:15:30Z\"}", MarketQuote.class))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void anUnknownEventTypeIsRefused() {
        assertThatThrownBy(() -> codec.decodeEvent("{\"type\":\"nope\",\"time\":\"2026-11-21T10:15:30Z\"}"))
                .isInstanceOf(ValidationException.class);
    }
}
