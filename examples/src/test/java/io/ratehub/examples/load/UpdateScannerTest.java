package io.ratehub.examples.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpdateScannerTest {
    private static final String TIME = "2026-11-22T02:11:37.259185513Z";
    private static final long TIME_MICROS = micros(Instant.parse(TIME));

    private final UpdateScanner scanner = new UpdateScanner();
    private final WsTally tally = new WsTally();
    private final WsConnection conn = new WsConnection(0, null);

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    private static String update(long seq, String time) {
        return "{\"type\":\"update\",\"channel\":\"store:s3:rates\",\"epoch\":\"abc\",\"seq\":" + seq
                + ",\"key\":\"USD/CAD\",\"event\":{\"type\":\"rate_update\",\"rate\":{\"storeId\":\"s3\","
                + "\"pair\":\"USD/CAD\",\"buy\":\"1.35455\",\"sell\":\"1.36817\",\"mid\":\"1.36136\","
                + "\"basis\":\"MARKET\",\"asOf\":\"2026-11-22T01:00:00.000000001Z\",\"validUntil\":null,"
                + "\"stale\":false},\"time\":\"" + time + "\"}}";
    }

    private static String batch(String... updates) {
        return "{\"type\":\"batch\",\"updates\":[" + String.join(",", updates) + "]}";
    }

    /** Scans {@code frame} placed at an offset inside a larger array, as frames lie in the read buffer. */
    private int scan(String frame, long nowMicros) {
        byte[] f = frame.getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[f.length + 40];
        java.util.Arrays.fill(buf, (byte) 'q');
        System.arraycopy(f, 0, buf, 17, f.length);
        return scanner.scanUpdates(buf, 17, 17 + f.length, conn, tally, nowMicros);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recognisesFrameTypes() {
        assertThat(type(update(1, TIME))).isEqualTo(UpdateScanner.UPDATE);
        assertThat(type(batch(update(1, TIME)))).isEqualTo(UpdateScanner.BATCH);
        assertThat(type("{\"type\":\"subscribed\",\"id\":\"s\"}")).isEqualTo(UpdateScanner.SUBSCRIBED);
        assertThat(type("{\"type\":\"error\",\"id\":\"s\",\"code\":\"forbidden\"}")).isEqualTo(UpdateScanner.ERROR);
        assertThat(type("{\"type\":\"welcome\",\"protocol\":1}")).isEqualTo(UpdateScanner.OTHER);
        assertThat(type("{\"type\":\"updates\"}")).isEqualTo(UpdateScanner.OTHER);
        assertThat(type("{\"id\":\"x\",\"type\":\"update\"}")).isEqualTo(UpdateScanner.OTHER);
        assertThat(type("{\"type\":\"upd")).isEqualTo(UpdateScanner.OTHER);
        assertThat(type("")).isEqualTo(UpdateScanner.OTHER);
    }

    private static int type(String s) {
        byte[] b = bytes(s);
        return UpdateScanner.frameType(b, 0, b.length);
    }

    @Test
    void readsTheSubscribedFrame() {
        byte[] b = bytes("{\"type\":\"subscribed\",\"id\":\"s\",\"channel\":\"store:sq:rates\",\"kind\":\"STATE\","
                + "\"epoch\":\"abc\",\"seq\":714,\"recovery\":\"SNAPSHOT\",\"count\":5}");
        assertThat(UpdateScanner.seqField(b, 0, b.length)).isEqualTo(714);
        assertThat(UpdateScanner.countField(b, 0, b.length)).isEqualTo(5);
        byte[] none = bytes("{\"type\":\"subscribed\",\"recovery\":\"LIVE\"}");
        assertThat(UpdateScanner.seqField(none, 0, none.length)).isEqualTo(-1);
        assertThat(UpdateScanner.countField(none, 0, none.length)).isEqualTo(-1);
    }

    @Test
    void aSingleUpdateIsCountedWithItsLatency() {
        conn.lastSeq = 714;
        assertThat(scan(update(715, TIME), TIME_MICROS + 1_500)).isEqualTo(1);
        assertThat(tally.updates).isEqualTo(1);
        assertThat(tally.frames).isEqualTo(1);
        assertThat(tally.lost).isZero();
        assertThat(tally.outOfOrder).isZero();
        assertThat(conn.lastSeq).isEqualTo(715);
        // the event time, not the rate's asOf (an hour earlier)
        assertThat(tally.latency.getTotalCount()).isEqualTo(1);
        assertThat(tally.latency.getMaxValue()).isEqualTo(tally.latency.highestEquivalentValue(1_500));
        assertThat(tally.latency.getMinValue()).isEqualTo(tally.latency.lowestEquivalentValue(1_500));
    }

    @Test
    void everyUpdateOfABatchIsCountedInOneFrame() {
        conn.lastSeq = 10;
        long now = TIME_MICROS + 20_000;
        assertThat(scan(batch(update(11, TIME), update(12, "2026-11-22T02:11:37.269185Z"),
                update(13, "2026-11-22T02:11:37.279Z")), now)).isEqualTo(3);
        assertThat(tally.updates).isEqualTo(3);
        assertThat(tally.frames).isEqualTo(1);
        assertThat(tally.lost).isZero();
        assertThat(conn.lastSeq).isEqualTo(13);
        assertThat(tally.latency.getTotalCount()).isEqualTo(3);
        assertThat(tally.latency.getMinValue()).isEqualTo(185); // .279Z against .259185 + 20 ms
        assertThat(tally.latency.getMaxValue()).isEqualTo(tally.latency.highestEquivalentValue(20_000));
        assertThat(tally.latency.getCountAtValue(10_000)).isEqualTo(1);
    }

    @Test
    void batchesWhoseUpdatesDifferInShapeAreReadWhole() {
        conn.lastSeq = 0;
        String local = update(3, TIME).replace("\"}}", "\",\"timeLocal\":\"2026-11-22T03:11:37.259185513+01:00\"}}");
        String otherEpoch = update(4, TIME).replace("\"epoch\":\"abc\"", "\"epoch\":\"a-much-longer-epoch\"");
        String shorter = update(6, TIME).replace("\"epoch\":\"abc\"", "\"epoch\":\"\"");
        assertThat(scan(batch(update(1, TIME), update(2, TIME), local, otherEpoch, update(5, TIME), shorter,
                update(7, TIME)), TIME_MICROS + 3)).isEqualTo(7);
        assertThat(conn.lastSeq).isEqualTo(7);
        assertThat(tally.lost).isZero();
        assertThat(tally.outOfOrder).isZero();
        assertThat(tally.latency.getTotalCount()).isEqualTo(7);
        assertThat(tally.latency.getMaxValue()).isEqualTo(3);
    }

    @Test
    void gapsAreLostAndStaleSeqsAreOutOfOrder() {
        conn.lastSeq = 714;
        scan(update(715, TIME), TIME_MICROS);
        scan(batch(update(718, TIME), update(720, TIME)), TIME_MICROS); // 716, 717, 719 skipped
        assertThat(tally.lost).isEqualTo(3);
        scan(update(716, TIME), TIME_MICROS); // reordered
        scan(update(720, TIME), TIME_MICROS); // duplicate
        assertThat(tally.outOfOrder).isEqualTo(2);
        assertThat(conn.lastSeq).isEqualTo(720);
        scan(update(721, TIME), TIME_MICROS);
        assertThat(tally.updates).isEqualTo(6);
        assertThat(tally.lost).isEqualTo(3);
        assertThat(tally.outOfOrder).isEqualTo(2);
        assertThat(tally.frames).isEqualTo(5);
    }

    @Test
    void withoutABaselineTheFirstUpdateSetsIt() {
        assertThat(conn.lastSeq).isEqualTo(UpdateScanner.NO_SEQ);
        scan(update(5000, TIME), TIME_MICROS);
        scan(update(5001, TIME), TIME_MICROS);
        assertThat(tally.lost).isZero();
        assertThat(tally.updates).isEqualTo(2);
    }

    @Test
    void catchUpUpdatesAreNeitherCountedNorTimed() {
        conn.lastSeq = 714;
        conn.snapshotLeft = 3;
        scan(update(700, TIME), TIME_MICROS);
        assertThat(tally.frames).isZero();
        // two more catch-up updates, then the first live ones, in one batch
        assertThat(scan(batch(update(702, TIME), update(714, TIME), update(715, TIME), update(716, TIME)),
                TIME_MICROS)).isEqualTo(2);
        assertThat(conn.snapshotLeft).isZero();
        assertThat(tally.updates).isEqualTo(2);
        assertThat(tally.frames).isEqualTo(1);
        assertThat(tally.lost).isZero();
        assertThat(tally.outOfOrder).isZero();
        assertThat(tally.latency.getTotalCount()).isEqualTo(2);
    }

    @Test
    void aLiveUpdateEndsACatchUpShortenedByConflation() {
        conn.lastSeq = 714;
        conn.snapshotLeft = 3;
        // one catch-up value arrives; the other two keys changed meanwhile and their newer values replaced them
        scan(batch(update(710, TIME), update(715, TIME), update(716, TIME)), TIME_MICROS);
        assertThat(conn.snapshotLeft).isZero();
        assertThat(tally.updates).isEqualTo(2);
        assertThat(tally.lost).isZero();
        scan(update(714, TIME), TIME_MICROS); // no longer catch-up: out of order
        assertThat(tally.outOfOrder).isEqualTo(1);
    }

    @Test
    void parsesInstantsWithZeroToNineFractionalDigits() {
        String[] times = {"2026-11-22T02:11:37Z", "2026-11-22T02:11:37.2Z", "2026-11-22T02:11:37.25Z",
            "2026-11-22T02:11:37.259Z", "2026-11-22T02:11:37.2591Z", "2026-11-22T02:11:37.25918Z",
            "2026-11-22T02:11:37.259185Z", "2026-11-22T02:11:37.2591855Z", "2026-11-22T02:11:37.25918551Z",
            "2026-11-22T02:11:37.259185513Z", "2026-11-23T00:00:00Z", "2026-12-31T23:59:59.999999999Z",
            "2027-01-01T00:00:00.000001Z", "1970-01-01T00:00:00Z", "2024-02-29T12:00:00.5Z"};
        for (String t : times) {
            byte[] b = bytes("\"" + t + "\"}}");
            assertThat(scanner.parseMicros(b, 1, b.length)).as(t).isEqualTo(micros(Instant.parse(t)));
        }
    }

    @Test
    void refusesWhatIsNotAUtcInstant() {
        String[] bad = {"2026-11-22T02:11:37", "2026-11-22T02:11:37.Z", "2026-11-22T02:11:37.1234567891Z",
            "2026-11-22 02:11:37Z", "2026-13-22T02:11:37Z", "2026-11-22T24:11:37Z", "2026-11-22T02:11:37+01:00",
            "2026-11-2xT02:11:37Z", "2026-02-30T02:11:37Z", "short"};
        for (String t : bad) {
            byte[] b = bytes("\"" + t + "\"}}");
            assertThat(scanner.parseMicros(b, 1, b.length)).as(t).isEqualTo(-1);
        }
    }

    @Test
    void anUpdateWithoutAUsableTimeIsCountedButNotTimed() {
        conn.lastSeq = 1;
        scan(update(2, "yesterday"), TIME_MICROS);
        scan("{\"type\":\"update\",\"channel\":\"c\",\"epoch\":\"e\",\"seq\":3,\"key\":\"k\",\"removed\":true}",
                TIME_MICROS);
        // the first update of the batch has no time: it must not take the second one's
        scan(batch("{\"type\":\"update\",\"seq\":4,\"event\":{}}", update(5, TIME)), TIME_MICROS + 7);
        assertThat(tally.updates).isEqualTo(4);
        assertThat(tally.lost).isZero();
        assertThat(tally.latency.getTotalCount()).isEqualTo(1);
        assertThat(tally.latency.getMaxValue()).isEqualTo(7);
    }

    @Test
    void negativeLatencyIsRecordedAsZero() {
        conn.lastSeq = 1;
        scan(update(2, TIME), TIME_MICROS - 5_000);
        assertThat(tally.latency.getTotalCount()).isEqualTo(1);
        assertThat(tally.latency.getMaxValue()).isZero();
    }

    @Test
    void framesWithoutUpdatesCountNothing() {
        assertThat(scan("{\"type\":\"batch\",\"updates\":[]}", TIME_MICROS)).isZero();
        assertThat(scan("{\"type\":\"update\",\"sequence\":\"seq\"}", TIME_MICROS)).isZero();
        assertThat(tally.frames).isZero();
        assertThat(tally.updates).isZero();
    }

    @Test
    void theDateCacheFollowsTheDate() {
        conn.lastSeq = 0;
        long now = micros(Instant.parse("2026-11-23T00:00:00.000100Z"));
        scan(batch(update(1, "2026-11-22T23:59:59.999900Z"), update(2, "2026-11-23T00:00:00.000050Z"),
                update(3, "2026-11-22T23:59:59.999950Z")), now);
        assertThat(tally.latency.getCountAtValue(200)).isEqualTo(1);
        assertThat(tally.latency.getCountAtValue(50)).isEqualTo(1);
        assertThat(tally.latency.getCountAtValue(150)).isEqualTo(1);
    }

    @Test
    void findsQorMLikeANaiveLoop() {
        Random r = new Random(42);
        byte[] alphabet = bytes("abcmqz\"\u00e9:0");
        for (int round = 0; round < 2_000; round++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextInt(4) == 0 ? alphabet[r.nextInt(alphabet.length)] : (byte) r.nextInt(256);
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            int end = from + (b.length == from ? 0 : r.nextInt(b.length - from + 1));
            int expected = -1;
            for (int i = from; i < end; i++) {
                if (b[i] == 'q' || b[i] == 'm') {
                    expected = i;
                    break;
                }
            }
            assertThat(UpdateScanner.indexOfQorM(b, from, end)).isEqualTo(expected);
        }
    }

    @Test
    void findsKeysOnlyWhole() {
        byte[] b = bytes("\"seq\"x \"sequel\": \"time\": \"ti\"m\" \"time\":\"T\" \"seq\":9");
        int k = UpdateScanner.findKey(b, 0, b.length);
        assertThat(k).isEqualTo(new String(b, StandardCharsets.UTF_8).indexOf("\"time\":\"T"));
        // a key that starts before the range is not found
        int k2 = UpdateScanner.findKey(b, k + 1, b.length);
        assertThat(k2).isEqualTo(new String(b, StandardCharsets.UTF_8).indexOf("\"seq\":9"));
        assertThat(UpdateScanner.findKey(b, k2 + 1, b.length)).isEqualTo(-1);
        // nor one cut by its end
        assertThat(UpdateScanner.findKey(b, 0, k + 7)).isEqualTo(-1);
    }
}
