package io.ratehub.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.internal.AuditLines;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a large log finds its tail by reading backwards from the end, not the whole file. */
class FileAuditLogTailTest {
    static final int ENTRIES = 50_000;

    @TempDir
    Path dir;

    /** Writes {@code n} chained entries straight to {@code file}; returns the last. */
    static AuditEntry write(Path file, int n) throws IOException {
        String hash = AuditEntry.GENESIS_HASH;
        AuditEntry last = null;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            for (int seq = 1; seq <= n; seq++) {
                AuditLines.Sealed sealed = AuditLines.seal(seq, AuditLines.prepare(new AuditRecord(
                        Instant.parse("2026-03-02T10:00:00Z").plusSeconds(seq), "owner", "spread.set", "s" + seq % 50,
                        "USD/CAD", Map.of(), Map.of("buy", "10", "sell", "10"), null)), hash);
                out.write(sealed.line());
                last = sealed.entry();
                hash = last.hash();
            }
        }
        return last;
    }

    static final class CountingFile extends RandomAccessFile {
        long bytesRead;

        CountingFile(Path file) throws IOException {
            super(file.toFile(), "r");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                bytesRead += n;
            }
            return n;
        }
    }

    @Test
    void aLargeLogOpensAtItsLastEntryReadingOnlyItsEnd() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditEntry last = write(file, ENTRIES);
        long size = Files.size(file);
        try (CountingFile in = new CountingFile(file)) {
            long[] ends = FileAuditLog.lastLineEnds(in, size, 3);
            assertThat(ends[0]).isEqualTo(size);
            assertThat(ends[1]).isLessThan(ends[0]).isGreaterThan(ends[2]);
            assertThat(in.bytesRead).as("bytes read of %s", size).isLessThanOrEqualTo(64 * 1024)
                    .isLessThan(size / 50);
        }
        try (FileAuditLog log = FileAuditLog.open(file)) {
            assertThat(log.recovery()).isEqualTo(AuditRecovery.NONE);
            assertThat(log.lastEntry()).contains(last);
            assertThat(log.append(new AuditRecord(Instant.parse("2026-03-03T10:00:00Z"), "owner", "spread.removed",
                    "s1", "USD/CAD", Map.of(), Map.of(), null)).seq()).isEqualTo(ENTRIES + 1);
            assertThat(log.verify()).isEqualTo(AuditVerification.ok(ENTRIES + 1));
        }
    }

    @Test
    void aTornLastLineOfALargeLogIsCutOff() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditEntry last = write(file, ENTRIES);
        long size = Files.size(file);
        Files.write(file, "{\"seq\":50001,\"time\":\"2026".getBytes(), java.nio.file.StandardOpenOption.APPEND);
        try (FileAuditLog log = FileAuditLog.open(file)) {
            assertThat(log.recovery().tornTailRepaired()).isTrue();
            assertThat(log.lastEntry()).contains(last);
            assertThat(Files.size(file)).isEqualTo(size);
        }
    }
}
