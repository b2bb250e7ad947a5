package io.ratehub.examples.bench;

import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.audit.FileAuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable audit appends from 16 concurrent writers into one {@link FileAuditLog} on the working directory's disk
 * (a temporary file): each append returns only after its entry is synced, and concurrent appends share syncs
 * (group commit). Reports appends per second over all threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(16)
public class AuditAppendBenchmark {

    /** One log shared by every writer. */
    @State(Scope.Benchmark)
    public static class Log {
        FileAuditLog log;
        Path dir;
        final AtomicLong syncsAtStart = new AtomicLong();

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory(Path.of(System.getProperty("user.dir")), "audit-bench");
            log = FileAuditLog.open(dir.resolve("audit.jsonl"));
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            long entries = log.lastSeq();
            long syncs = log.forceCount();
            log.close();
            System.out.printf("%n[audit] %d entries in %d syncs: %.1f entries per sync; chain %s%n", entries, syncs,
                    (double) entries / Math.max(1, syncs), FileAuditLog.verify(dir.resolve("audit.jsonl")).valid()
                            ? "verified" : "BROKEN");
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** One durable append of a typical override decision. */
    @Benchmark
    public Object append(Log l) {
        return l.log.append(new AuditRecord(Instant.now(), "owner", "override.set", "store-7", "USD/CAD",
                Map.of("buy", "1.35010", "sell", "1.37250"), Map.of("buy", "1.35500", "sell", "1.36900",
                "validUntil", "2026-11-21T18:00:00Z"), "weekend promotion"));
    }
}
