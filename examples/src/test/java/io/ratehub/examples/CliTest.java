package io.ratehub.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.durable.FileEngineStore;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.MarketQuote;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.protocol.Principal;
import io.ratehub.server.ApiKeyAuthenticator;
import io.ratehub.server.RateHubServer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each subcommand, in process, against real files and a real hub on a free port. */
class CliTest {
    private Stdio stdio;
    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        stdio = new Stdio();
    }

    @AfterEach
    void restore() {
        stdio.close();
    }

    private String out() {
        return stdio.out();
    }

    @Test
    void hubRunsWithTheSimulatedMarketAndStopsCleanly() {
        int status = RateHubCli.run("hub", "--port", "0", "--seconds", "2", "--data-dir", dir.toString());
        assertThat(status).isZero();
        assertThat(out()).contains("ws://127.0.0.1:", "terminal-downtown", "chain verified", "/board/#store=downtown&key=rk_",
                "calculator --uri ws://127.0.0.1:");
        assertThat(FileAuditLog.verify(dir.resolve("audit.jsonl")).valid()).isTrue();
    }

    @Test
    void engineDemoWalksThroughTheEngineAndLeavesAVerifiableAuditTrail() {
        assertThat(RateHubCli.run("engine-demo", dir.toString())).isZero();
        assertThat(out()).contains("== two stores set their spreads", "locks the downtown sell rate",
                "refused: lock_expired", "the override ends by itself");
        io.ratehub.core.audit.AuditVerification v = FileAuditLog.verify(dir.resolve("audit.jsonl"));
        assertThat(v.valid()).isTrue();
        assertThat(v.entriesChecked()).isGreaterThan(5);
    }

    @Test
    void badArgumentsGiveAOneLineErrorAndTheUsageWithANonZeroStatus() {
        assertThat(RateHubCli.run("hub", "--port", "nope")).isEqualTo(2);
        assertThat(stdio.err()).startsWith("error: ").contains("Usage:");
        assertThat(RateHubCli.run("hub", "--port", "70000", "--seconds", "1")).isNotZero();
        assertThat(RateHubCli.run("nosuchcommand")).isEqualTo(2);
        assertThat(RateHubCli.run("tail")).isEqualTo(2);
    }

    @Test
    void auditVerifiesAndQueriesAndDetectsTampering() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FileAuditLog log = FileAuditLog.open(file)) {
            RateEngine engine = RateEngine.builder().auditLog(log).build();
            engine.setSpread("downtown", CurrencyPair.parse("USD/CAD"), SpreadRule.bps("50", "50"), "owner");
            engine.setSpread("airport", CurrencyPair.parse("USD/CAD"), SpreadRule.bps("90", "90"), "owner");
        }
        assertThat(RateHubCli.run("audit", "verify", file.toString())).isZero();
        assertThat(out()).contains("OK: 2 entries");
        assertThat(RateHubCli.run("audit", "query", file.toString(), "--store", "airport")).isZero();
        assertThat(out().lines().filter(l -> l.startsWith("{")).toList()).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("\"storeId\":\"airport\""));

        List<String> lines = Files.readAllLines(file);
        Files.write(file, List.of(lines.get(0), lines.get(1).replace("\"90\"", "\"10\"")));
        assertThat(RateHubCli.run("audit", "verify", file.toString())).isEqualTo(1);
        assertThat(out()).contains("BROKEN at entry 2");
    }

    @Test
    void auditVerifyReportsABreakAcceptedAtStart() throws Exception {
        CurrencyPair usdCad = CurrencyPair.parse("USD/CAD");
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine engine = RateEngine.builder().store(store).build();
            engine.setSpread("downtown", usdCad, SpreadRule.bps("50", "50"), "owner");
            engine.setSpread("airport", usdCad, SpreadRule.bps("90", "90"), "owner");
            engine.setSpread("harbour", usdCad, SpreadRule.bps("70", "70"), "owner");
        }
        Path file = dir.resolve(FileEngineStore.AUDIT_FILE);
        List<String> lines = Files.readAllLines(file);
        Files.write(file, List.of(lines.get(0), lines.get(1).replace("\"90\"", "\"10\""), lines.get(2)));
        try (FileEngineStore store = FileEngineStore.open(dir)) {
            RateEngine.builder().store(store).acceptBrokenChainAt(2).build();
        }
        assertThat(RateHubCli.run("audit", "verify", file.toString())).isEqualTo(1);
        assertThat(out()).contains("BROKEN at entry 2").contains("accepted at seq 4");
    }

    @Test
    void tailPrintsEventsAsJsonLines() throws Exception {
        String key = "tail-test-key-0123456789";
        RateEngine engine = RateEngine.builder().build();
        CurrencyPair usdCad = CurrencyPair.parse("USD/CAD");
        engine.setSpread("downtown", usdCad, SpreadRule.bps("50", "50"), "owner");
        engine.onQuote(new MarketQuote(usdCad, new BigDecimal("1.36120"), new BigDecimal("1.36140"), "a",
                Instant.now()));
        try (RateHubServer server = RateHubServer.builder().port(0).engine(engine)
                .authenticator(ApiKeyAuthenticator.builder().key(key, Principal.viewer("v", "downtown")).build())
                .start()) {
            CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> RateHubCli.run("tail", "--uri",
                    server.webSocketUri().toString(), "--api-key", key, "--count", "2", "--timeout", "20",
                    "store:downtown:rates"));
            // the snapshot is the first event; a market move gives the second
            stdio.awaitOut("rate_update");
            engine.onQuote(new MarketQuote(usdCad, new BigDecimal("1.36220"), new BigDecimal("1.36240"), "a",
                    Instant.now()));
            assertThat(tail.get(30, TimeUnit.SECONDS)).isZero();
        }
        List<String> events = out().lines().filter(l -> l.startsWith("{\"type\":\"rate_update\"")).toList();
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).contains("\"buy\":\"1.35548\"");
    }
}
