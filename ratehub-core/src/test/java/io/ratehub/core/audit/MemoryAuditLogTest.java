package io.ratehub.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.MemoryAuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MemoryAuditLogTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void appendsChainedEntriesInSequence() {
        try (AuditLog log = AuditLog.inMemory()) {
            assertThat(log).isInstanceOf(MemoryAuditLog.class);
            assertThat(log.lastSeq()).isZero();
            AuditEntry first = log.append(FileAuditLogTest.record(1));
            AuditEntry second = log.append(FileAuditLogTest.record(2));
            assertThat(first.seq()).isEqualTo(1);
            assertThat(second.seq()).isEqualTo(2);
            assertThat(first.hash()).matches("[0-9a-f]{64}").isNotEqualTo(second.hash());
            assertThat(first.actor()).isEqualTo("bob");
            assertThat(first.after()).containsEntry("expires", "PT1H");
            assertThat(log.lastSeq()).isEqualTo(2);
            assertThat(((MemoryAuditLog) log).lastHash()).isEqualTo(second.hash());
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(2));
        }
    }

    @Test
    void queriesInSequenceOrder() {
        try (AuditLog log = AuditLog.inMemory()) {
            for (int i = 1; i <= 12; i++) {
                log.append(FileAuditLogTest.record(i));
            }
            assertThat(log.query(AuditQuery.all().withStore("s1"))).extracting(AuditEntry::seq)
                    .containsExactly(1L, 4L, 7L, 10L);
            assertThat(log.query(AuditQuery.all().withPair("USD/CAD"))).extracting(AuditEntry::seq)
                    .containsExactly(4L, 8L, 12L);
            assertThat(log.query(AuditQuery.all().withActor("bob").withLimit(2))).extracting(AuditEntry::seq)
                    .containsExactly(1L, 3L);
            assertThat(log.query(AuditQuery.all().between(T0.plusSeconds(11), T0.plusSeconds(12))))
                    .extracting(AuditEntry::seq).containsExactly(11L);
        }
    }

    @Test
    void rejectsNullValuesAndFailsAfterClose() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("rate", null);
        AuditLog log = AuditLog.inMemory();
        assertThatThrownBy(() -> log.append(new AuditRecord(T0, "alice", "spread.set", null, null, null, withNull,
                null))).isInstanceOf(ValidationException.class).hasMessageContaining("after.rate");
        assertThat(log.append(FileAuditLogTest.record(1)).seq()).isEqualTo(1);
        log.close();
        log.close();
        assertThatThrownBy(() -> log.append(FileAuditLogTest.record(2)))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_CORRUPT))
                .hasMessage("audit log is closed");
        assertThat(log.lastSeq()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void concurrentAppendsAreGapFree() throws Exception {
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (AuditLog log = AuditLog.inMemory()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        seqs.add(log.append(FileAuditLogTest.record(i)).seq());
                    }
                    return seqs;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get());
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(
                    LongStream.rangeClosed(1, threads * perThread).boxed().collect(Collectors.toList()));
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(threads * perThread));
        } finally {
            pool.shutdownNow();
        }
    }
}
