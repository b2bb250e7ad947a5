package io.ratehub.core.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is appending to a {@link FileAuditLog} and checks that every append it acknowledged survives
 * and the chain still verifies after recovery.
 */
class FileAuditLogCrashTest {
    private static final int ACKS_BEFORE_KILL = 2_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAcknowledgedAppendSurvivesAKill() throws Exception {
        Path file = dir.resolve("audit.log");
        Path childErr = dir.resolve("child.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire may run tests from a manifest-only jar; it always publishes the full test class path here.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(java, "-cp", classpath,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", AuditAppendChild.class.getName(), file.toString())
                .redirectError(childErr.toFile())
                .start();
        Set<Long> acked = new HashSet<>();
        long maxAcked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String line;
            while (acked.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                long seq = Long.parseLong(line.trim());
                acked.add(seq);
                maxAcked = Math.max(maxAcked, seq);
            }
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(acked).as("acks before the child died; its stderr:%n%s", Files.readString(childErr, UTF_8))
                .hasSize(ACKS_BEFORE_KILL);

        try (FileAuditLog log = FileAuditLog.open(file)) {
            assertThat(log.verify().valid()).as("verify: %s", log.verify()).isTrue();
            assertThat(log.lastSeq()).isGreaterThanOrEqualTo(maxAcked);
            List<Long> present = new ArrayList<>();
            log.query(AuditQuery.all().withLimit(Integer.MAX_VALUE)).forEach(e -> present.add(e.seq()));
            assertThat(present).containsAll(acked);
            // The log accepts appends after recovery, continuing the chain.
            long next = log.append(FileAuditLogTest.record(1)).seq();
            assertThat(next).isEqualTo(log.lastSeq());
            assertThat(log.verify().valid()).isTrue();
        }
    }
}
