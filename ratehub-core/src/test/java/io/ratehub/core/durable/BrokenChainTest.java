package io.ratehub.core.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratehub.core.MutableClock;
import io.ratehub.core.audit.AuditChainException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.audit.AuditVerification;
import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.SpreadRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken audit chain refuses the start naming the seq, unless the operator accepts exactly that break. */
class BrokenChainTest {
    static final CurrencyPair USD_CAD = new CurrencyPair("USD", "CAD");

    @TempDir
    Path dir;

    final MutableClock clock = MutableClock.at(Instant.parse("2026-03-02T10:00:00Z"));

    Path file() {
        return dir.resolve(FileEngineStore.AUDIT_FILE);
    }

    RateEngine start(FileEngineStore store, long acceptAt) {
        RateEngine.Builder b = RateEngine.builder().clock(clock).store(store).lockRetention(Duration.ofHours(1));
        if (acceptAt > 0) {
            b.acceptBrokenChainAt(acceptAt);
        }
        return b.build();
    }

    /** Seqs 1..6: spreads for s1..s6. */
    void firstRun() {
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store, 0);
            for (int i = 1; i <= 6; i++) {
                engine.setSpread("s" + i, USD_CAD, SpreadRule.bps(Integer.toString(10 * i), "10"), "owner");
            }
        }
    }

    byte[] damage(UnaryOperator<List<String>> edit) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(file(), StandardCharsets.UTF_8));
        Files.write(file(), (String.join("\n", edit.apply(lines)) + "\n").getBytes(StandardCharsets.UTF_8));
        return Files.readAllBytes(file());
    }

    void assertRefusedAt(long seq, long acceptAt, byte[] damaged) throws Exception {
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            assertThatThrownBy(() -> start(store, acceptAt))
                    .isInstanceOfSatisfying(AuditChainException.class, e -> {
                        assertThat(e.seq()).isEqualTo(seq);
                        assertThat(e.verification().firstBadSeq()).isEqualTo(seq);
                        assertThat(e.file()).isEqualTo(file().toAbsolutePath());
                    })
                    .hasMessageContaining("broken at seq " + seq)
                    .hasMessageContaining("file was not changed")
                    .hasMessageContaining("acceptBrokenChainAt(" + seq + ")");
        }
        assertThat(Files.readAllBytes(file())).isEqualTo(damaged);
    }

    @Test
    void anEditedLineRefusesTheStart() throws Exception {
        firstRun();
        byte[] damaged = damage(l -> {
            l.set(2, l.get(2).replace("\"owner\"", "\"0wner\""));
            return l;
        });
        assertRefusedAt(3, 0, damaged);
    }

    @Test
    void aRemovedLineRefusesTheStart() throws Exception {
        firstRun();
        byte[] damaged = damage(l -> {
            l.remove(3);
            return l;
        });
        assertRefusedAt(4, 0, damaged);
    }

    @Test
    void reorderedLinesRefuseTheStart() throws Exception {
        firstRun();
        byte[] damaged = damage(l -> {
            String third = l.get(2);
            l.set(2, l.get(3));
            l.set(3, third);
            return l;
        });
        assertRefusedAt(3, 0, damaged);
    }

    @Test
    void aLineTruncatedInTheMiddleRefusesTheStart() throws Exception {
        firstRun();
        byte[] damaged = damage(l -> {
            l.set(1, l.get(1).substring(0, 40));
            return l;
        });
        assertRefusedAt(2, 0, damaged);
    }

    @Test
    void startingAnywayNeedsTheExactSeqThenRecordsItAndLaterStartsNeedNoFlag() throws Exception {
        firstRun();
        damage(l -> {
            l.set(2, l.get(2).replace("\"owner\"", "\"0wner\""));
            return l;
        });
        byte[] damaged = Files.readAllBytes(file());
        assertRefusedAt(3, 4, damaged);

        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store, 3);
            // The edited decision (s3) is skipped; the ones after the break are in force.
            assertThat(engine.spread("s3", USD_CAD)).isEmpty();
            assertThat(engine.spread("s2", USD_CAD)).isPresent();
            assertThat(engine.spread("s4", USD_CAD)).isPresent();
            assertThat(engine.spread("s6", USD_CAD)).contains(SpreadRule.bps("60", "10"));
            AuditEntry accepted = store.auditLog().query(AuditQuery.all()).get(6);
            assertThat(accepted.seq()).isEqualTo(7);
            assertThat(accepted.action()).isEqualTo("audit.break_accepted");
            assertThat(accepted.actor()).isEqualTo("system");
            assertThat(accepted.after()).containsEntry("seq", "3").containsEntry("line", "3")
                    .containsKey("problem");
            engine.setSpread("s7", USD_CAD, SpreadRule.bps("70", "10"), "owner");
        }

        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = start(store, 0);
            assertThat(engine.spread("s7", USD_CAD)).isPresent();
            assertThat(engine.spread("s4", USD_CAD)).isPresent();
            assertThat(store.auditLog().lastSeq()).as("no second audit.break_accepted").isEqualTo(8);
        }

        AuditVerification v = FileAuditLog.verify(file());
        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(3);
        assertThat(v.problem()).contains("accepted at seq 7");
    }

    @Test
    void anotherBreakAfterTheAcceptedOneStillRefuses() throws Exception {
        firstRun();
        byte[] damaged = damage(l -> {
            l.set(1, l.get(1).replace("\"owner\"", "\"0wner\""));
            l.set(4, l.get(4).replace("\"owner\"", "\"0wner\""));
            return l;
        });
        assertRefusedAt(5, 2, damaged);
    }
}
