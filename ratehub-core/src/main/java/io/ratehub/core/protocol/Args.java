package io.ratehub.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.ThresholdRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** The fields of each client message, bound by the codec (unknown fields are refused). */
final class Args {
    private Args() {
    }

    record Auth(String token, String apiKey, String tz) {
    }

    record TimeZone(String tz) {
    }

    record From(String epoch, Long seq) {
    }

    record Subscribe(String channel, From from, java.math.BigDecimal maxRate) {
    }

    record Unsubscribe(String channel) {
    }

    record SetSpread(String storeId, CurrencyPair pair, SpreadRule.Unit unit, BigDecimal buyMargin,
                     BigDecimal sellMargin, BigDecimal minMargin, BigDecimal maxMargin) {
    }

    record StorePair(String storeId, CurrencyPair pair) {
    }

    record SetOverride(String storeId, CurrencyPair pair, BigDecimal buy, BigDecimal sell, String reason,
                       Instant validFrom, Instant validUntil, Boolean force) {
    }

    record ClearOverride(String storeId, CurrencyPair pair, String reason) {
    }

    record SetThreshold(String storeId, CurrencyPair pair, ThresholdRule.Kind kind, BigDecimal percent,
                        BigDecimal clearPercent, Duration window) {
    }

    record RemoveThreshold(String storeId, CurrencyPair pair, ThresholdRule.Kind kind) {
    }

    record Lock(String storeId, CurrencyPair pair, Side side, BigDecimal amount, Duration ttl, String requestId) {
    }

    record CompleteLock(String lockId, String transactionRef) {
    }

    record CancelLock(String lockId, String reason) {
    }

    record Request(String name, JsonNode body) {
    }
}
