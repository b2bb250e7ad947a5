package io.ratehub.core.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.AuditLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileAuditLogTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("audit").resolve("audit.log");
    }

    static AuditRecord record(int i) {
        return new AuditRecord(T0.plusSeconds(i), i % 2 == 0 ? "alice" : "bob", "override.set",
                "s" + (i % 3), i % 4 == 0 ? "USD/CAD" : "EUR/USD",
                Map.of("rate", "1.35" + i), Map.of("rate", "1.36" + i, "expires", "PT1H"), "reason " + i);
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, UTF_8);
    }

    private static void writeLines(Path file, List<String> lines) throws IOException {
        Files.writeString(file, lines.stream().map(l -> l + "\n").collect(Collectors.joining()), UTF_8);
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    }

    @Test
    void writesTheDocumentedLineFormatAndHash() throws Exception {
        Path file = file();
        AuditEntry entry;
        try (FileAuditLog log = FileAuditLog.open(file)) {
            entry = log.append(new AuditRecord(T0, "alice", "override.set", "s1", "USD/CAD",
                    Map.of("rate", "1.3500", "expires", "PT1H"), Map.of("rate", "1.3600"), "promo"));
        }
        String body = "{\"seq\":1,\"time\":\"2026-11-21T10:00:00Z\",\"actor\":\"alice\",\"action\":\"override.set\","
                + "\"store\":\"s1\",\"pair\":\"USD/CAD\",\"before\":{\"expires\":\"PT1H\",\"rate\":\"1.3500\"},"
                + "\"after\":{\"rate\":\"1.3600\"},\"reason\":\"promo\"";
        String hash = sha256Hex(AuditEntry.GENESIS_HASH + body);
        assertThat(Files.readString(file, UTF_8)).isEqualTo(body + ",\"hash\":\"" + hash + "\"}\n");
        assertThat(entry.hash()).isEqualTo(hash);
        assertThat(entry.seq()).isEqualTo(1);
    }

    @Test
    void writesNullsAndEscapesAndReadsThemBack() throws IOException {
        String tricky = "quote \" backslash \\ newline \n tab \t ctrl \u0001 é 中 😀 end";
        AuditRecord withNulls = new AuditRecord(T0, "system", "lock.expired", null, null, null, null, null);
        AuditRecord trickyRecord = new AuditRecord(T0.plusNanos(123_456_789), tricky, "override.set", "s1",
                "USD/CAD", Map.of("k\"ey", tricky), Map.of(), tricky);
        try (FileAuditLog log = FileAuditLog.open(file())) {
            AuditEntry a = log.append(withNulls);
            AuditEntry b = log.append(trickyRecord);
            assertThat(log.query(AuditQuery.all())).containsExactly(a, b);
            assertThat(b.actor()).isEqualTo(tricky);
            assertThat(log.verify().valid()).isTrue();
        }
        List<String> lines = lines(file());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"store\":null,\"pair\":null,\"before\":{},\"after\":{},\"reason\":null,");
        assertThat(lines.get(1)).contains("\\\"", "\\\\", "\\n", "\\t", "\\u0001", "é", "😀");
    }

    @Test
    void textThatCannotBeWrittenAsUtf8NeverEntersTheLog() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AuditRecord(T0, "lone \ud800", "override.set",
                        "s1", "USD/CAD", Map.of(), Map.of(), "r"))
                .isInstanceOf(io.ratehub.core.ValidationException.class)
                .hasMessageContaining("actor: must be well-formed Unicode");
    }

    @Test
    void roundTripsEntriesAndChainsHashes() throws IOException {
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.lastSeq()).isZero();
            assertThat(log.lastHash()).isEqualTo(AuditEntry.GENESIS_HASH);
            assertThat(log.lastEntry()).isEmpty();
            assertThat(log.recovery()).isEqualTo(AuditRecovery.NONE);
            List<AuditEntry> appended = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                appended.add(log.append(record(i)));
            }
            assertThat(appended).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(appended).extracting(AuditEntry::hash).doesNotHaveDuplicates()
                    .allMatch(h -> h.matches("[0-9a-f]{64}"));
            assertThat(appended.get(0).before()).isEqualTo(Map.of("rate", "1.351"));
            assertThat(log.query(AuditQuery.all())).isEqualTo(appended);
            assertThat(log.lastSeq()).isEqualTo(5);
            assertThat(log.lastHash()).isEqualTo(appended.get(4).hash());
            assertThat(log.lastEntry()).contains(appended.get(4));
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(5));
        }
        assertThat(FileAuditLog.verify(file())).isEqualTo(AuditVerification.ok(5));
    }

    @Test
    void sameRecordsGiveTheSameChainAsTheMemoryLog() {
        try (FileAuditLog file = FileAuditLog.open(file()); AuditLog memory = AuditLog.inMemory()) {
            for (int i = 1; i <= 10; i++) {
                assertThat(file.append(record(i))).isEqualTo(memory.append(record(i)));
            }
        }
    }

    @Test
    void reopenContinuesSequenceAndChain() {
        AuditEntry second;
        try (FileAuditLog log = FileAuditLog.open(file())) {
            log.append(record(1));
            second = log.append(record(2));
        }
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.lastSeq()).isEqualTo(2);
            assertThat(log.lastHash()).isEqualTo(second.hash());
            assertThat(log.lastEntry()).contains(second);
            assertThat(log.recovery()).isEqualTo(AuditRecovery.NONE);
            AuditEntry third = log.append(record(3));
            assertThat(third.seq()).isEqualTo(3);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(3));
            assertThat(log.query(AuditQuery.all())).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void queriesByStorePairActorTimeAndLimit() {
        try (FileAuditLog log = FileAuditLog.open(file())) {
            for (int i = 1; i <= 12; i++) {
                log.append(record(i));
            }
            assertThat(log.query(AuditQuery.all().withStore("s1"))).extracting(AuditEntry::seq)
                    .containsExactly(1L, 4L, 7L, 10L);
            assertThat(log.query(AuditQuery.all().withPair("USD/CAD"))).extracting(AuditEntry::seq)
                    .containsExactly(4L, 8L, 12L);
            assertThat(log.query(AuditQuery.all().withActor("alice"))).extracting(AuditEntry::seq)
                    .containsExactly(2L, 4L, 6L, 8L, 10L, 12L);
            // from inclusive, until exclusive
            assertThat(log.query(AuditQuery.all().between(T0.plusSeconds(3), T0.plusSeconds(6))))
                    .extracting(AuditEntry::seq).containsExactly(3L, 4L, 5L);
            assertThat(log.query(AuditQuery.all().between(T0.plusSeconds(10), null)))
                    .extracting(AuditEntry::seq).containsExactly(10L, 11L, 12L);
            assertThat(log.query(AuditQuery.all().withLimit(3))).extracting(AuditEntry::seq)
                    .containsExactly(1L, 2L, 3L);
            assertThat(log.query(AuditQuery.all().withActor("alice").withStore("s1").withLimit(1)))
                    .extracting(AuditEntry::seq).containsExactly(4L);
            assertThat(log.query(AuditQuery.all().withStore("nope"))).isEmpty();
        }
    }

    private void writeFive() {
        try (FileAuditLog log = FileAuditLog.open(file())) {
            for (int i = 1; i <= 5; i++) {
                log.append(record(i));
            }
        }
    }

    @Test
    void verifyDetectsAnEditedValue() throws IOException {
        writeFive();
        List<String> lines = lines(file());
        assertThat(lines.get(2)).contains("\"1.353\"");
        lines.set(2, lines.get(2).replace("\"1.353\"", "\"1.359\""));
        writeLines(file(), lines);

        AuditVerification result = FileAuditLog.verify(file());
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSeq()).isEqualTo(3);
        assertThat(result.firstBadLine()).isEqualTo(3);
        assertThat(result.entriesChecked()).isEqualTo(2);
        assertThat(result.problem()).contains("hash mismatch at seq 3");

        // Damage in the middle does not stop the log from opening; verify() reports it.
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.recovery()).isEqualTo(AuditRecovery.NONE);
            assertThat(log.lastSeq()).isEqualTo(5);
            assertThat(log.verify()).isEqualTo(result);
            assertThat(log.query(AuditQuery.all())).hasSize(5);
            assertThat(log.append(record(6)).seq()).isEqualTo(6);
        }
    }

    @Test
    void verifyDetectsARemovedLine() throws IOException {
        writeFive();
        List<String> lines = lines(file());
        lines.remove(2);
        writeLines(file(), lines);

        AuditVerification result = FileAuditLog.verify(file());
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSeq()).isEqualTo(3);
        assertThat(result.firstBadLine()).isEqualTo(3);
        assertThat(result.problem()).contains("seq 4", "seq 3", "removed");
    }

    @Test
    void verifyDetectsSwappedLines() throws IOException {
        writeFive();
        List<String> lines = lines(file());
        Collections.swap(lines, 1, 2);
        writeLines(file(), lines);

        AuditVerification result = FileAuditLog.verify(file());
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSeq()).isEqualTo(2);
        assertThat(result.firstBadLine()).isEqualTo(2);
        assertThat(result.problem()).contains("reordered");
    }

    @Test
    void verifyDetectsAnUnparsableLineInTheMiddle() throws IOException {
        writeFive();
        List<String> lines = lines(file());
        lines.set(3, "garbage");
        writeLines(file(), lines);

        AuditVerification result = FileAuditLog.verify(file());
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSeq()).isEqualTo(4);
        assertThat(result.firstBadLine()).isEqualTo(4);
        assertThat(result.problem()).contains("line 4 is not a valid audit entry");

        try (FileAuditLog log = FileAuditLog.open(file())) {
            // The damaged line is skipped by queries, not repaired.
            assertThat(log.query(AuditQuery.all())).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L, 5L);
            assertThat(log.verify()).isEqualTo(result);
        }
    }

    @Test
    void verifyDetectsARecomputedChainOnlyWithAnAnchor() throws Exception {
        long anchorSeq;
        String anchorHash;
        try (FileAuditLog log = FileAuditLog.open(file())) {
            for (int i = 1; i <= 5; i++) {
                log.append(record(i));
            }
            AuditEntry anchor = log.lastEntry().orElseThrow();
            anchorSeq = anchor.seq();
            anchorHash = anchor.hash();
        }
        assertThat(FileAuditLog.verify(file(), anchorSeq, anchorHash).valid()).isTrue();

        // Cutting off the newest entries leaves a valid chain; only the anchor tells.
        List<String> lines = lines(file());
        writeLines(file(), lines.subList(0, 3));
        assertThat(FileAuditLog.verify(file()).valid()).isTrue();
        AuditVerification cut = FileAuditLog.verify(file(), anchorSeq, anchorHash);
        assertThat(cut.valid()).isFalse();
        assertThat(cut.firstBadSeq()).isEqualTo(4);
        assertThat(cut.firstBadLine()).isEqualTo(4);
        assertThat(cut.problem()).contains("newest entries were removed");

        // A rewritten log with a self-consistent chain differs from the anchor.
        Files.delete(file());
        try (FileAuditLog log = FileAuditLog.open(file())) {
            for (int i = 1; i <= 5; i++) {
                log.append(record(i + 100));
            }
        }
        assertThat(FileAuditLog.verify(file()).valid()).isTrue();
        AuditVerification rewritten = FileAuditLog.verify(file(), anchorSeq, anchorHash);
        assertThat(rewritten.valid()).isFalse();
        assertThat(rewritten.firstBadSeq()).isEqualTo(5);
        assertThat(rewritten.problem()).contains("anchor");

        assertThatThrownBy(() -> FileAuditLog.verify(file(), 0, anchorHash)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> FileAuditLog.verify(file(), 1, "ABC")).isInstanceOf(ValidationException.class);
    }

    @Test
    void repairsATornTailOnOpen() throws IOException {
        writeFive();
        long intactSize = Files.size(file());
        String sixth = new String(AuditLines.seal(6, AuditLines.prepare(record(6)), AuditEntry.GENESIS_HASH).line(),
                UTF_8);
        String half = sixth.substring(0, sixth.length() / 2);
        Files.writeString(file(), half, UTF_8, StandardOpenOption.APPEND);

        AuditVerification before = FileAuditLog.verify(file());
        assertThat(before.valid()).isFalse();
        assertThat(before.firstBadLine()).isEqualTo(6);
        assertThat(before.problem()).contains("incomplete");

        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.recovery()).isEqualTo(new AuditRecovery(true, half.getBytes(UTF_8).length));
            assertThat(Files.size(file())).isEqualTo(intactSize);
            assertThat(log.lastSeq()).isEqualTo(5);
            assertThat(log.append(record(6)).seq()).isEqualTo(6);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(6));
        }
        assertThat(FileAuditLog.verify(file())).isEqualTo(AuditVerification.ok(6));
    }

    @Test
    void repairsAnUnparsableLastLineAndAFragmentAfterIt() throws IOException {
        writeFive();
        long intactSize = Files.size(file());
        String tail = "{\"seq\":6,\"ti\u0000\u0000\n{\"se";
        Files.writeString(file(), tail, UTF_8, StandardOpenOption.APPEND);

        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.recovery()).isEqualTo(new AuditRecovery(true, tail.length()));
            assertThat(Files.size(file())).isEqualTo(intactSize);
            assertThat(log.lastSeq()).isEqualTo(5);
            log.append(record(6));
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(6));
        }
    }

    @Test
    void repairsATornFirstEntry() throws IOException {
        Files.createDirectories(file().getParent());
        String torn = "{\"seq\":1,\"time\":\"2026";
        Files.writeString(file(), torn, UTF_8);
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.recovery()).isEqualTo(new AuditRecovery(true, torn.length()));
            assertThat(Files.size(file())).isZero();
            assertThat(log.lastSeq()).isZero();
            assertThat(log.lastHash()).isEqualTo(AuditEntry.GENESIS_HASH);
            assertThat(log.append(record(1)).seq()).isEqualTo(1);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(1));
        }
    }

    @Test
    void refusesToCutMoreThanATornWrite() throws IOException {
        writeFive();
        Files.writeString(file(), "not an entry\nnor this\n", UTF_8, StandardOpenOption.APPEND);
        long size = Files.size(file());
        assertThatThrownBy(() -> FileAuditLog.open(file()))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_CORRUPT))
                .hasMessageContaining("lines 6 and 7");
        assertThat(Files.size(file())).isEqualTo(size);
        // The failed open released the file.
        Files.writeString(file(), String.join("\n", lines(file()).subList(0, 5)) + "\n", UTF_8);
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.lastSeq()).isEqualTo(5);
        }
    }

    @Test
    void appendAfterCloseFails() {
        FileAuditLog log = FileAuditLog.open(file());
        log.append(record(1));
        log.close();
        log.close();
        assertThatThrownBy(() -> log.append(record(2)))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_CORRUPT))
                .hasMessage("audit log is closed");
        assertThatThrownBy(() -> log.query(AuditQuery.all())).hasMessage("audit log is closed");
        assertThatThrownBy(log::verify).hasMessage("audit log is closed");
        assertThat(log.lastSeq()).isEqualTo(1);
    }

    @Test
    void onlyOneInstanceMayOpenAFile() {
        try (FileAuditLog log = FileAuditLog.open(file())) {
            log.append(record(1));
            // Reading the file (which opens and closes descriptors on it) must not drop the lock.
            assertThat(log.query(AuditQuery.all())).hasSize(1);
            assertThat(FileAuditLog.verify(file()).valid()).isTrue();
            assertThatThrownBy(() -> FileAuditLog.open(file()))
                    .isInstanceOfSatisfying(AuditException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_FAILURE))
                    .hasMessageContaining("already open");
        }
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThat(log.lastSeq()).isEqualTo(1);
        }
    }

    @Test
    void rejectsNullValuesWithoutUsingASequenceNumber() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("rate", null);
        try (FileAuditLog log = FileAuditLog.open(file())) {
            assertThatThrownBy(() -> log.append(new AuditRecord(T0, "alice", "override.set", null, null, withNull,
                    null, null)))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("before.rate");
            assertThatThrownBy(() -> log.append(new AuditRecord(T0, "alice", "override.set", null, null, null,
                    Map.of("note", "x".repeat(1 << 20)), null)))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("1048576");
            assertThat(log.append(record(1)).seq()).isEqualTo(1);
        }
    }

    @Test
    void missingFileCannotBeVerified() {
        assertThatThrownBy(() -> FileAuditLog.verify(dir.resolve("none.log")))
                .isInstanceOfSatisfying(AuditException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_CORRUPT));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentAppendsAreGapFreeChainedAndShareSyncs() throws Exception {
        int threads = 16;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileAuditLog log = FileAuditLog.open(file())) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        seqs.add(log.append(record(thread * perThread + i)).seq());
                    }
                    return seqs;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                List<Long> seqs = result.get();
                // Each thread sees its own entries in increasing order.
                assertThat(seqs).isSorted();
                all.addAll(seqs);
            }
            int total = threads * perThread;
            assertThat(all).containsExactlyInAnyOrderElementsOf(
                    LongStream.rangeClosed(1, total).boxed().collect(Collectors.toList()));
            assertThat(log.lastSeq()).isEqualTo(total);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(total));
            assertThat(log.forceCount()).isPositive().isLessThan(total);
        } finally {
            pool.shutdownNow();
        }
        assertThat(FileAuditLog.verify(file())).isEqualTo(AuditVerification.ok(threads * perThread));
    }

    @Test
    void anInterruptedAppenderStillAppendsAndKeepsItsInterrupt() {
        try (FileAuditLog log = FileAuditLog.open(file())) {
            Thread.currentThread().interrupt();
            try {
                assertThat(log.append(record(1)).seq()).isEqualTo(1);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(log.append(record(2)).seq()).isEqualTo(2);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(2));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void interruptsDuringWritesDoNotFailTheLog() throws Exception {
        int threads = 8;
        int perThread = 200;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        try (FileAuditLog log = FileAuditLog.open(file())) {
            List<Thread> appenders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                appenders.add(new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try {
                            log.append(record(thread * perThread + i));
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                }, "appender-" + t));
            }
            Thread interrupter = new Thread(() -> {
                while (!done.get()) {
                    for (Thread appender : appenders) {
                        appender.interrupt();
                    }
                    // Paces the interrupts; not a synchronization.
                    LockSupport.parkNanos(20_000);
                }
            }, "interrupter");
            appenders.forEach(Thread::start);
            interrupter.start();
            for (Thread appender : appenders) {
                appender.join();
            }
            done.set(true);
            interrupter.join();

            assertThat(errors).isEmpty();
            assertThat(log.lastSeq()).isEqualTo(threads * perThread);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(threads * perThread));
            assertThat(log.append(record(0)).seq()).isEqualTo(threads * perThread + 1L);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailedWriteFailsEveryWaitingAppendAndTheLog() throws Exception {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.isWritable(devFull), "needs /dev/full (Linux)");
        Path link = Files.createSymbolicLink(dir.resolve("full.log"), devFull);
        try (FileAuditLog log = FileAuditLog.open(link)) {
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<AuditException>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            log.append(record(thread));
                            return null;
                        } catch (AuditException e) {
                            return e;
                        }
                    }));
                }
                start.countDown();
                for (Future<AuditException> result : results) {
                    assertThat(result.get()).isNotNull()
                            .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_FAILURE));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(log.lastSeq()).isZero();
            assertThat(log.lastHash()).isEqualTo(AuditEntry.GENESIS_HASH);
            assertThatThrownBy(() -> log.append(record(9)))
                    .isInstanceOfSatisfying(AuditException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_FAILURE))
                    .hasMessageContaining("until reopened");
        }
    }
}
