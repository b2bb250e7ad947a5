package io.ratehub.examples.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link TyrusRawTarget} as a child JVM, as the load tool does: the control channel over stdin/stdout, one
 * subscriber over the JDK's WebSocket client, the update format byte for byte and the sequence without gaps.
 */
class TyrusRawTargetTest {
    private static final long TIMEOUT_S = 10;
    private static final Pattern UPDATE = Pattern.compile(
            "\\{\"type\":\"update\",\"channel\":\"store:s1:rates\",\"epoch\":\"bench\",\"seq\":(\\d+),"
                    + "\"key\":\"([A-Z]{3}/[A-Z]{3})\",\"event\":\\{\"type\":\"rate_update\",\"rate\":\\{"
                    + "\"storeId\":\"s1\",\"pair\":\"\\2\",\"buy\":\"(\\d\\.\\d{5})\",\"sell\":\"(\\d\\.\\d{5})\","
                    + "\"mid\":\"(\\d\\.\\d{5})\",\"basis\":\"MARKET\","
                    + "\"asOf\":\"(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z)\",\"validUntil\":null,"
                    + "\"stale\":false},\"time\":\"\\6\"}}");

    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(c -> c.process.destroyForcibly());
    }

    @Test
    void servesTheUpdateFormatAndAnswersTheControlChannel() throws Exception {
        Child eof = start("eof"); // started now so that the two JVMs boot side by side
        Child child = start("main");
        String ready = child.line();
        assertThat(ready).as(child.stderr()).matches("READY \\d+ /raw");

        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + ready.split(" ")[1] + "/raw"), new Collector(received))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        send(ws, "{\"op\":\"auth\",\"id\":\"a\",\"apiKey\":\"k\"}"); // ignored: no answer
        send(ws, "{\"op\":\"subscribe\",\"id\":\"x\",\"channel\":\"store:s10:rates\"}");
        assertThat(next(received))
                .isEqualTo("{\"type\":\"error\",\"id\":\"x\",\"code\":\"forbidden\",\"message\":\"no such channel\"}");
        send(ws, "{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s1:rates\"}");
        assertThat(next(received)).isEqualTo("{\"type\":\"subscribed\",\"id\":\"s\",\"channel\":\"store:s1:rates\","
                + "\"kind\":\"STATE\",\"epoch\":\"bench\",\"seq\":0,\"recovery\":\"SNAPSHOT\",\"count\":0}");

        assertThat(child.ask("RATE 2000")).isEqualTo("OK");
        List<String> pairs = List.of("USD/CAD", "EUR/CAD", "GBP/CAD");
        for (int seq = 1; seq <= 40; seq++) {
            checkUpdate(next(received), seq, pairs.get((seq - 1) % 3));
        }
        // One subscriber, so every tick is one update; all of those counted arrive, in order.
        String[] stats = child.ask("STATS").split(" ");
        assertThat(stats[0]).isEqualTo("STATS");
        long ticks = Long.parseLong(stats[1]);
        assertThat(Long.parseLong(stats[2])).isEqualTo(ticks);
        for (int seq = 41; seq <= ticks; seq++) {
            checkUpdate(next(received), seq, pairs.get((seq - 1) % 3));
        }
        // A second subscriber that drops its connection mid-stream leaves the market and the first one going.
        BlockingQueue<String> other = new LinkedBlockingQueue<>();
        WebSocket dropped = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + ready.split(" ")[1] + "/raw"), new Collector(other))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        send(dropped, "{\"op\":\"subscribe\",\"id\":\"t\",\"channel\":\"store:s1:rates\"}");
        assertThat(next(other)).startsWith("{\"type\":\"subscribed\"");
        assertThat(next(other)).startsWith("{\"type\":\"update\"");
        dropped.abort();
        for (long seq = ticks + 1; seq <= ticks + 200; seq++) {
            checkUpdate(next(received), seq, pairs.get((int) ((seq - 1) % 3)));
        }

        assertThat(child.ask("RATE 0")).isEqualTo("OK");
        assertThat(child.ask("HEAP")).matches("HEAP [1-9]\\d*");
        assertThat(child.ask("RATE fast")).startsWith("ERR ");
        assertThat(child.ask("HELLO")).startsWith("ERR ");
        child.stdin.write("STOP\n");
        child.stdin.flush();
        assertThat(child.process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).as("exits on STOP").isTrue();
        assertThat(child.process.exitValue()).isZero();

        assertThat(eof.line()).matches("READY \\d+ /raw");
        eof.stdin.close();
        assertThat(eof.process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).as("exits at the end of stdin").isTrue();
        assertThat(eof.process.exitValue()).isZero();
    }

    private static void checkUpdate(String frame, long seq, String pair) {
        Matcher m = UPDATE.matcher(frame);
        assertThat(m.matches()).as(frame).isTrue();
        assertThat(Long.parseLong(m.group(1))).as(frame).isEqualTo(seq);
        assertThat(m.group(2)).as(frame).isEqualTo(pair);
        double mid = Double.parseDouble(m.group(5));
        assertThat(Double.parseDouble(m.group(3))).as(frame).isCloseTo(mid * 0.995, within(1.1e-5));
        assertThat(Double.parseDouble(m.group(4))).as(frame).isCloseTo(mid * 1.005, within(1.1e-5));
        assertThat(new BigDecimal(m.group(5)).subtract(new BigDecimal("1.3")).abs())
                .as(frame).isLessThan(new BigDecimal("0.1"));
        Duration age = Duration.between(Instant.parse(m.group(6)), Instant.now());
        assertThat(age.abs()).as(frame).isLessThan(Duration.ofSeconds(TIMEOUT_S));
    }

    private static void send(WebSocket ws, String text) throws Exception {
        ws.sendText(text, true).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static String next(BlockingQueue<String> received) throws InterruptedException {
        String message = received.poll(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(message).as("a message within %d s", TIMEOUT_S).isNotNull();
        return message;
    }

    private Child start(String name) throws IOException {
        File stderr = dir.resolve(name + ".stderr").toFile();
        Process process = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", // boots faster; nothing here is about speed
                "-cp", System.getProperty("java.class.path"), TyrusRawTarget.class.getName(),
                "--port", "0", "--stores", "3", "--pairs", "3")
                .redirectError(stderr)
                .start();
        Child child = new Child(process, stderr.toPath());
        children.add(child);
        return child;
    }

    /** A running target: its stdout lines, as they come, and its stdin. */
    private static final class Child {
        final Process process;
        final Path stderr;
        final Writer stdin;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        String line() throws InterruptedException {
            String line = lines.poll(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(line).as("a line on stdout within %d s; stderr: %s", TIMEOUT_S, stderr()).isNotNull();
            return line;
        }

        String ask(String command) throws IOException, InterruptedException {
            stdin.write(command + "\n");
            stdin.flush();
            return line();
        }

        String stderr() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    /** Collects whole text messages. */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<String> received;
        private final StringBuilder partial = new StringBuilder();

        Collector(BlockingQueue<String> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
