package io.ratehub.examples.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratehub.examples.RateHubCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratehub bench}, end to end on a short run: the ratehub and raw Tyrus targets as child processes, the load
 * client, the table and the JSON. (The figures themselves come from the full run; see README.md.)
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void aQuickLatencyRunMeasuresBothJavaTargetsAndWritesTheJson() throws Exception {
        Path json = dir.resolve("bench.json");
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            status = RateHubCli.run("bench", "--quick", "--scenario", "latency", "--target", "ratehub,tyrus-raw",
                    "--out", json.toString());
        } finally {
            System.setOut(old);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(table).isZero();
        assertThat(table).contains("latency        ratehub", "latency        tyrus-raw", "tyrus-raw's updates/s of the same offer");

        JsonNode results = new ObjectMapper().readTree(json.toFile());
        assertThat(results).hasSize(2);
        for (JsonNode r : results) {
            assertThat(r.get("scenario").asText()).isEqualTo("latency");
            assertThat(r.get("clients").asInt()).isEqualTo(1000);
            assertThat(r.get("batchMillis").asInt()).isZero();
            assertThat(r.get("offeredUpdatesPerSec").asLong()).isEqualTo(100_000);
            assertThat(r.get("deliveredUpdatesPerSec").asLong()).isPositive();
            assertThat(r.get("framesPerSec").asLong()).isPositive();
            assertThat(r.has("lost")).isTrue();
            JsonNode l = r.get("latencyMicros");
            assertThat(l.get("p50").asLong()).isPositive().isLessThanOrEqualTo(l.get("p99").asLong());
            assertThat(l.get("p99").asLong()).isLessThanOrEqualTo(l.get("p999").asLong());
            assertThat(l.get("p999").asLong()).isLessThanOrEqualTo(l.get("max").asLong());
        }
        assertThat(results.get(0).get("target").asText()).isEqualTo("ratehub");
        assertThat(results.get(1).get("target").asText()).isEqualTo("tyrus-raw");
    }

    @Test
    void unknownScenariosAndTargetsAreRefusedWithTheUsage() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(RateHubCli.run("bench", "--scenario", "speed")).isEqualTo(2);
            assertThat(RateHubCli.run("bench", "--target", "nginx")).isEqualTo(2);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--scenario must be among", "--target must be among",
                "Usage:");
    }
}
