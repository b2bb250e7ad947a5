package io.ratehub.client;

import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.RateBasis;
import io.ratehub.core.model.StoreRate;
import java.math.BigDecimal;
import java.time.Instant;

/** Server messages for {@link ScriptedTransport} tests, as docs/PROTOCOL.md writes them. */
final class Frames {
    static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    static final CurrencyPair EUR_CAD = CurrencyPair.parse("EUR/CAD");
    static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private Frames() {
    }

    static String welcome() {
        return "{\"type\":\"welcome\",\"protocol\":1,\"connection\":\"c1\",\"principal\":{\"id\":\"t1\","
                + "\"role\":\"TERMINAL\",\"stores\":[\"s1\"]},\"time\":\"" + T0 + "\"}";
    }

    static String subscribed(String id, String channel, String kind, String epoch, long head, String recovery,
                             int count) {
        return "{\"type\":\"subscribed\",\"id\":\"" + id + "\",\"channel\":\"" + channel + "\",\"kind\":\"" + kind
                + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + head + ",\"recovery\":\"" + recovery + "\",\"count\":"
                + count + "}";
    }

    static String lost(String id, String channel, String epoch, long head, long from, long to, int count) {
        return "{\"type\":\"subscribed\",\"id\":\"" + id + "\",\"channel\":\"" + channel + "\",\"kind\":\"EVENT\""
                + ",\"epoch\":\"" + epoch + "\",\"seq\":" + head + ",\"recovery\":\"LOST\",\"count\":" + count
                + ",\"lostFrom\":" + from + ",\"lostTo\":" + to + "}";
    }

    static StoreRate rate(String store, CurrencyPair pair, String buy, String sell) {
        BigDecimal b = new BigDecimal(buy);
        BigDecimal s = new BigDecimal(sell);
        BigDecimal mid = b.add(s).divide(BigDecimal.valueOf(2), 6, java.math.RoundingMode.HALF_EVEN);
        return new StoreRate(store, pair, b, s, mid, RateBasis.MARKET, T0, null, false);
    }

    static String rateUpdate(String epoch, long seq, StoreRate r) {
        String event = ScriptedTransport.CODEC.encodeEvent(new RateEvent.StoreRateUpdated(r, T0));
        return "{\"type\":\"update\",\"channel\":\"store:" + r.storeId() + ":rates\",\"epoch\":\"" + epoch
                + "\",\"seq\":" + seq + ",\"key\":\"" + r.pair() + "\",\"event\":" + event + "}";
    }

    static String appUpdate(String channel, String epoch, long seq, int n) {
        return "{\"type\":\"update\",\"channel\":\"" + channel + "\",\"epoch\":\"" + epoch + "\",\"seq\":" + seq
                + ",\"event\":{\"n\":" + n + "}}";
    }

    static String error(String id, String code, String message) {
        return "{\"type\":\"error\",\"id\":\"" + id + "\",\"code\":\"" + code + "\",\"message\":\"" + message + "\"}";
    }
}
