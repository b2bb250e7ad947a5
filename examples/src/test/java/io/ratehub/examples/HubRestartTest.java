package io.ratehub.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.durable.FileEngineStore;
import io.ratehub.core.engine.LockRequest;
import io.ratehub.core.engine.OverrideRequest;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.RateOverride;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo hub keeps its state in {@code --data-dir}: what an owner and a terminal decided in one run is in force in
 * the next, the demo spreads are not set again over it, and a broken log refuses the start with a one-line error.
 */
class HubRestartTest {
    private static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    private static final CurrencyPair EUR_CAD = CurrencyPair.parse("EUR/CAD");
    private static final CurrencyPair GBP_CAD = CurrencyPair.parse("GBP/CAD");
    private static final CurrencyPair CAD_JPY = CurrencyPair.parse("CAD/JPY");
    @TempDir
    Path dir;
    private Stdio stdio;

    @BeforeEach
    void capture() {
        stdio = new Stdio();
    }

    @AfterEach
    void restore() {
        stdio.close();
    }

    private HubCommand.Running startHub() throws Exception {
        HubCommand cmd = new HubCommand();
        cmd.host = "127.0.0.1";
        cmd.port = 0;
        cmd.dataDir = dir;
        cmd.tickMillis = 50;
        return cmd.start();
    }

    private static long entries(Path dataDir) {
        return FileAuditLog.verify(dataDir.resolve(FileEngineStore.AUDIT_FILE)).entriesChecked();
    }

    @Test
    void spreadsOverridesAndLocksSurviveARestartAndTheDemoSpreadsAreNotSetAgain() throws Exception {
        SpreadRule owners = SpreadRule.bps("7", "9");
        RateOverride override;
        RateLock lock;
        LockRequest request = LockRequest.of("downtown", EUR_CAD, Side.SELL, new BigDecimal("1000.00"), "terminal-1")
                .withRequestId("req-restart-1");
        try (HubCommand.Running hub = startHub()) {
            RateEngine engine = hub.server.engine();
            assertThat(stdio.out()).contains("new data directory: demo spreads set; in force: spreads 15, overrides 0");
            assertThat(engine.spread("mall", USD_CAD)).contains(SpreadRule.bps("80", "80"));
            engine.setSpread("downtown", GBP_CAD, owners, "owner");
            assertThat(engine.removeSpread("airport", CAD_JPY, "owner")).isTrue();
            Instant now = engine.clock().instant().truncatedTo(ChronoUnit.SECONDS);
            override = engine.setOverride(OverrideRequest.of("downtown", USD_CAD, new BigDecimal("1.30000"),
                    new BigDecimal("1.40000"), "owner", "promo").during(now, now.plus(Duration.ofHours(1))).forced());
            awaitLive(engine, "downtown", EUR_CAD);
            lock = engine.lock(request);
        }
        long afterFirstRun = entries(dir);

        try (HubCommand.Running hub = startHub()) {
            RateEngine engine = hub.server.engine();
            assertThat(stdio.out()).contains("restored from " + dir.toAbsolutePath()
                    + ", demo spreads not set again; in force: spreads 14, overrides 1");
            assertThat(engine.spread("downtown", GBP_CAD)).contains(owners);
            assertThat(engine.spread("airport", CAD_JPY)).as("removed by the owner, not set again").isEmpty();
            assertThat(engine.spread("mall", USD_CAD)).contains(SpreadRule.bps("80", "80"));
            assertThat(engine.override("downtown", USD_CAD)).contains(override);
            assertThat(engine.findLock(lock.lockId())).contains(lock);
            assertThat(lock.status()).isEqualTo(LockStatus.ACTIVE);
            assertThat(engine.lock(request)).as("the same request id again").isEqualTo(lock);
        }
        assertThat(entries(dir)).as("the second run decided nothing: no demo spread set again, nothing expired")
                .isEqualTo(afterFirstRun);
    }

    @Test
    void aBrokenLogRefusesTheStartWithOneLineNamingTheFileAndTheEntry() throws Exception {
        try (HubCommand.Running hub = startHub()) {
            hub.server.engine().setSpread("downtown", GBP_CAD, SpreadRule.bps("7", "9"), "owner");
        }
        Path file = dir.resolve(FileEngineStore.AUDIT_FILE);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(1)).contains("\"seq\":2");
        lines.set(1, lines.get(1).replace("\"demo\"", "\"mallory\""));
        Files.write(file, lines);
        byte[] edited = Files.readAllBytes(file);

        assertThat(RateHubCli.run("hub", "--port", "0", "--seconds", "1", "--data-dir", dir.toString()))
                .isEqualTo(1);
        List<String> err = stdio.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(err).singleElement().satisfies(l -> assertThat(l)
                .contains("audit log " + file.toAbsolutePath(), "broken at seq 2", "did not start"));
        assertThat(stdio.err()).doesNotContain("\tat ", "Exception");
        assertThat(Files.readAllBytes(file)).as("the file is left as it was").isEqualTo(edited);

        // The operator has looked at entry 2: the hub starts, records that, and later starts need no flag.
        assertThat(RateHubCli.run("hub", "--port", "0", "--seconds", "1", "--data-dir", dir.toString(),
                "--accept-broken-chain-at", "2")).isEqualTo(0);
        assertThat(Files.readString(file)).contains("\"audit.break_accepted\"");
        assertThat(RateHubCli.run("hub", "--port", "0", "--seconds", "1", "--data-dir", dir.toString()))
                .isEqualTo(0);
    }

    /** Waits, with a deadline, until the simulated market has given the store a live rate for the pair. */
    private static void awaitLive(RateEngine engine, String store, CurrencyPair pair) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (engine.storeRate(store, pair).filter(r -> r.isLiveAt(engine.clock().instant())).isEmpty()) {
            assertThat(System.nanoTime()).as("a live %s rate for %s", pair, store).isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
