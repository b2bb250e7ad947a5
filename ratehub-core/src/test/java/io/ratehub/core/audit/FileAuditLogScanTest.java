package io.ratehub.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratehub.core.ValidationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileAuditLog#scan}: entries in order with their offsets, resuming mid-file, stopping at a break. */
class FileAuditLogScanTest {
    @TempDir
    Path dir;

    record Seen(AuditEntry entry, long start, long next) {
    }

    @Test
    void handsOverEveryEntryWithItsLineOffsetsAndResumesFromAnyOfThem() {
        try (FileAuditLog log = FileAuditLog.open(dir.resolve("audit.jsonl"))) {
            List<AuditEntry> written = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                written.add(log.append(FileAuditLogTest.record(i)));
            }
            List<Seen> seen = new ArrayList<>();
            AuditVerification all = log.scan(0, 1, AuditEntry.GENESIS_HASH,
                    (e, start, next) -> seen.add(new Seen(e, start, next)));
            assertThat(all).isEqualTo(AuditVerification.ok(5));
            assertThat(seen).extracting(Seen::entry).isEqualTo(written);
            assertThat(seen.get(0).start()).isZero();
            for (int i = 1; i < 5; i++) {
                assertThat(seen.get(i).start()).isEqualTo(seen.get(i - 1).next());
            }

            Seen third = seen.get(2);
            List<AuditEntry> tail = new ArrayList<>();
            AuditVerification resumed = log.scan(third.next(), 4, third.entry().hash(), (e, s, n) -> tail.add(e));
            assertThat(resumed).isEqualTo(AuditVerification.ok(2));
            assertThat(tail).isEqualTo(written.subList(3, 5));

            AuditVerification wrongHash = log.scan(third.next(), 4, written.get(0).hash(), (e, s, n) -> tail.add(e));
            assertThat(wrongHash.valid()).isFalse();
            assertThat(wrongHash.firstBadSeq()).isEqualTo(4);

            assertThatThrownBy(() -> log.scan(-1, 1, AuditEntry.GENESIS_HASH, (e, s, n) -> { }))
                    .isInstanceOf(ValidationException.class);
        }
    }

    @Test
    void stopsAtTheFirstBrokenLineAndHandsOverNothingFromIt() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = FileAuditLog.open(file)) {
            for (int i = 1; i <= 5; i++) {
                log.append(FileAuditLogTest.record(i));
            }
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(1)).contains("\"alice\"");
        lines.set(1, lines.get(1).replace("\"alice\"", "\"alicf\""));
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        try (FileAuditLog log = FileAuditLog.open(file)) {
            List<Long> seqs = new ArrayList<>();
            AuditVerification v = log.scan(0, 1, AuditEntry.GENESIS_HASH, (e, s, n) -> seqs.add(e.seq()));
            assertThat(seqs).containsExactly(1L);
            assertThat(v.valid()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(2);
            assertThat(v.firstBadLine()).isEqualTo(2);
            assertThat(v).isEqualTo(log.verify());
        }
    }
}
