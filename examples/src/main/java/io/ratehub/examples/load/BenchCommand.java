package io.ratehub.examples.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ratehub bench}: the load tool. Starts each target (ratehub, a raw Tyrus broadcaster, a Node.js {@code ws}
 * broadcaster) as a child process, drives it with one NIO client ({@link LoadClient}) holding every connection, and
 * prints what arrived: delivered updates per second, frames per second, losses (sequence gaps), and publish-to-
 * receive latency from an HdrHistogram. See README.md, "Performance", for the scenarios and the figures.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load tool: fan-out throughput, latency, connections and slow consumers, ratehub beside its peers.")
public final class BenchCommand implements Callable<Integer> {
    /** The scenarios, in the order they run. */
    static final List<String> SCENARIOS = List.of("fanout", "latency", "connections", "slow-consumer");
    /** The targets. */
    static final List<String> TARGETS = List.of("ratehub", "tyrus-raw", "node-ws");
    private static final String KEY = "bench-key-0123456789";
    private static final int STORES = 10;
    private static final int PAIRS = 20;
    /** A ping per connection after a third of the Java client's 5 s liveness bound. */
    static final Duration CLIENT_PING_PERIOD = Duration.ofMillis(1667);

    @Option(names = "--scenario", split = ",", description = "scenarios to run: ${COMPLETION-CANDIDATES} (default: all)")
    List<String> scenarios = new ArrayList<>(SCENARIOS);

    @Option(names = "--target", split = ",", description = "targets: ratehub, tyrus-raw, node-ws (default: all)")
    List<String> targets = new ArrayList<>(TARGETS);

    @Option(names = "--quick", description = "short steps and fewer connections: the whole run in under 2 minutes")
    boolean quick;

    @Option(names = "--out", description = "also write the results as JSON to this file")
    Path out;

    @Option(names = "--client-threads", defaultValue = "1", description = "the load client's IO threads (default: ${DEFAULT-VALUE})")
    int clientThreads;

    @Option(names = "--repo", defaultValue = ".", description = "the ratehub checkout (for bench/); default: the current directory")
    Path repo;

    private final List<Map<String, Object>> results = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (String s : scenarios) {
            if (!SCENARIOS.contains(s)) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--scenario must be among " + SCENARIOS + ", was " + s);
            }
        }
        for (String t : targets) {
            if (!TARGETS.contains(t)) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--target must be among " + TARGETS + ", was " + t);
            }
        }
        if (targets.contains("node-ws")) {
            setUpNode();
        }
        System.out.printf(Locale.ROOT, "ratehub bench%s: %d cores, %s, Java %s; load tool in this JVM (%d IO thread%s)%n",
                quick ? " --quick" : "", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("java.version"), clientThreads, clientThreads == 1 ? "" : "s");
        long started = System.nanoTime();
        for (String scenario : SCENARIOS) {
            if (scenarios.contains(scenario)) {
                for (String target : targets) {
                    switch (scenario) {
                        case "fanout" -> {
                            fanout(target, 0);
                            if (target.equals("ratehub") && !quick) {
                                fanout(target, 50);
                            }
                        }
                        case "latency" -> latency(target);
                        case "connections" -> connections(target);
                        default -> slowConsumer(target);
                    }
                }
            }
        }
        printTable();
        System.out.printf(Locale.ROOT, "bench took %.0f s%n", (System.nanoTime() - started) / 1e9);
        if (out != null) {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Path dir = out.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.writeString(out, json.writeValueAsString(results), StandardCharsets.UTF_8);
            System.out.println("results written to " + out.toAbsolutePath());
        }
        return 0;
    }

    // ---------------------------------------------------------------- scenarios

    /** Steps the offered rate up until p99 passes 100 ms, anything is lost, or delivery falls behind the offer. */
    private void fanout(String target, int batchMillis) throws Exception {
        int clients = 1000;
        int[] steps = quick ? new int[] {25, 50, 100, 200, 400}
                : new int[] {20, 40, 60, 80, 100, 125, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000,
                        2500, 3000};
        Duration warm = Duration.ofMillis(quick ? 500 : 1000);
        Duration measure = Duration.ofMillis(quick ? 1000 : 4000);
        System.out.printf(Locale.ROOT, "%nfanout %s: %d clients over %d stores, %d pairs, batching %s%n", target, clients,
                STORES, PAIRS, batchMillis == 0 ? "off" : batchMillis + " ms");
        try (ChildTarget t = ChildTarget.start(target, repo, STORES, batchMillis);
             LoadClient client = new LoadClient(clientThreads)) {
            open(client, t, clients, STORES);
            warmUp(t, client, clients);
            Map<String, Object> best = null;
            steps:
            for (int ticks : steps) {
                // A step that fails is run once more before the ladder stops: one hiccup (a collection, a
                // compilation) must not end it, but a step that fails twice is not sustained.
                for (int attempt = 1; attempt <= 2; attempt++) {
                    Step s = run(t, client, ticks, clients, warm, measure);
                    boolean sustained = s.sample.lost() == 0 && s.sample.outOfOrder() == 0 && s.p99Millis() <= 100
                            && s.delivered() >= 0.95 * s.offered() && client.openConnections() == clients;
                    System.out.printf(Locale.ROOT, "  offered %,10.0f/s  delivered %,10.0f/s  frames %,9.0f/s  lost "
                                    + "%,d  p99 %.1f ms  %s%n", s.offered(), s.delivered(), s.frames(), s.sample.lost(),
                            s.p99Millis(), sustained ? "ok" : attempt == 1 ? "not sustained, once more" : "NOT SUSTAINED");
                    if (sustained) {
                        best = result("fanout", target, clients, batchMillis, s);
                        continue steps;
                    }
                }
                break;
            }
            if (best != null) {
                results.add(best);
            } else {
                System.out.println("  no step sustained");
            }
        }
    }

    /** The fan-out clients at 100,000 delivered updates per second, batching off. */
    private void latency(String target) throws Exception {
        int clients = 1000;
        Duration measure = Duration.ofMillis(quick ? 2500 : 20_000);
        System.out.printf(Locale.ROOT, "%nlatency %s: %d clients at 100,000 updates/s for %.1f s%n", target, clients,
                measure.toMillis() / 1000.0);
        try (ChildTarget t = ChildTarget.start(target, repo, STORES, 0);
             LoadClient client = new LoadClient(clientThreads)) {
            open(client, t, clients, STORES);
            warmUp(t, client, clients);
            Step s = run(t, client, 100, clients, Duration.ofMillis(quick ? 500 : 2000), measure);
            results.add(print(result("latency", target, clients, 0, s)));
        }
    }

    /**
     * Many connections, each subscribed, a slow trickle: heap per connection, connect time, trickle latency. Then
     * what keeping those links provably live costs the target: its CPU time over two intervals of 30 s back to
     * back, the trickle only, then the trickle plus a ping from every connection every {@link #CLIENT_PING_PERIOD}
     * (the Java client's ping after a third of its 5 s liveness bound), spread evenly. Every target answers pings,
     * so the peers run both intervals too.
     */
    private void connections(String target) throws Exception {
        int clients = quick ? 1000 : 10_000;
        System.out.printf(Locale.ROOT, "%nconnections %s: %,d connections, 2 ticks/s (%,d updates/s)%n", target,
                clients, 2 * clients);
        try (ChildTarget t = ChildTarget.start(target, repo, STORES, 0);
             LoadClient client = new LoadClient(clientThreads)) {
            long before = t.heap();
            open(client, t, clients, STORES);
            long after = t.heap();
            warmUp(t, client, clients);
            Step s = run(t, client, 2, clients, Duration.ofMillis(quick ? 500 : 2000), Duration.ofSeconds(quick ? 2 : 10));
            Map<String, Object> r = result("connections", target, clients, 0, s);
            r.put("serverHeapBytesPerConnection", Math.max(0, (after - before) / clients));
            r.put("connectMillis", client.connectNanos() / 1_000_000);
            print(r);
            liveness(t, client, r);
            results.add(r);
        }
    }

    /** The two CPU intervals of {@code connections}, into {@code r}. The trickle is running. */
    private void liveness(ChildTarget t, LoadClient client, Map<String, Object> r) throws IOException {
        // 30 s: ratehub's own heartbeat pings every connection once per 30 s (ServerOptions' default), at fixed rate
        // from its open; the connections opened over several seconds, so a shorter interval would hold a share of
        // that round that depends on where it falls, and the two phases would not carry the same server pings.
        Duration measure = Duration.ofSeconds(quick ? 3 : 30);
        Phase idle = phase(t, client, measure);
        client.startPinging(CLIENT_PING_PERIOD);
        Phase pinged;
        try {
            pause(CLIENT_PING_PERIOD); // one full round before measuring
            pinged = phase(t, client, measure);
        } finally {
            client.stopPinging();
        }
        t.call("RATE 0");
        System.out.printf(Locale.ROOT, "  liveness, %.0f s each: server CPU %.1f%% of a core with the trickle only, "
                        + "%.1f%% with a client ping per connection every %,d ms%n", measure.toMillis() / 1000.0,
                idle.cpuPercent(), pinged.cpuPercent(), CLIENT_PING_PERIOD.toMillis());
        for (Phase p : List.of(idle, pinged)) {
            System.out.printf(Locale.ROOT, "    %-18s server CPU %5.1f%%  client pings %,7.0f/s  pongs %,7.0f/s  "
                            + "server pings answered %,5.0f/s  trickle p50 %.2f ms  p99 %.2f ms%n",
                    p == idle ? "trickle only:" : "+ client pings:", p.cpuPercent(), p.pingsPerSec(), p.pongsPerSec(),
                    p.serverPingsPerSec(), p.p50Micros() / 1000.0, p.p99Micros() / 1000.0);
        }
        r.put("livenessIntervalMillis", measure.toMillis());
        r.put("clientPingPeriodMillis", CLIENT_PING_PERIOD.toMillis());
        r.put("serverCpuPercentIdle", round(idle.cpuPercent()));
        r.put("serverCpuPercentWithClientPings", round(pinged.cpuPercent()));
        r.put("clientPingsPerSec", Math.round(pinged.pingsPerSec()));
        r.put("pongsPerSec", Math.round(pinged.pongsPerSec()));
        r.put("serverPingsAnsweredPerSecIdle", Math.round(idle.serverPingsPerSec()));
        r.put("serverPingsAnsweredPerSecWithClientPings", Math.round(pinged.serverPingsPerSec()));
        r.put("trickleP50MicrosIdle", idle.p50Micros());
        r.put("trickleP99MicrosIdle", idle.p99Micros());
        r.put("trickleP50MicrosWithClientPings", pinged.p50Micros());
        r.put("trickleP99MicrosWithClientPings", pinged.p99Micros());
    }

    /** One interval: the target's CPU time (from /proc on Linux, via its process handle) and the client's counters. */
    private static Phase phase(ChildTarget t, LoadClient client, Duration measure) {
        client.sample();
        long pings = client.pingsSent();
        long pongs = client.pongsReceived();
        long answered = client.pingsAnswered();
        Duration cpu = t.cpu();
        long start = System.nanoTime();
        pause(measure);
        Duration cpuEnd = t.cpu();
        long nanos = System.nanoTime() - start;
        LoadSample sample = client.sample();
        double seconds = nanos / 1e9;
        return new Phase(100.0 * cpuEnd.minus(cpu).toNanos() / nanos, (client.pingsSent() - pings) / seconds,
                (client.pongsReceived() - pongs) / seconds, (client.pingsAnswered() - answered) / seconds,
                sample.latencyMicros().getValueAtPercentile(50), sample.latencyMicros().getValueAtPercentile(99));
    }

    /** What one liveness interval measured. */
    private record Phase(double cpuPercent, double pingsPerSec, double pongsPerSec, double serverPingsPerSec,
                         long p50Micros, long p99Micros) {
    }

    /**
     * As {@code latency}, plus one client per store that stops reading. The comparison is back to back in the same
     * target process: one interval with every client reading, then one after the slow ones stop.
     */
    private void slowConsumer(String target) throws Exception {
        int clients = 1000;
        int slow = STORES;
        Duration measure = Duration.ofMillis(quick ? 2000 : 20_000);
        Duration settle = Duration.ofMillis(quick ? 500 : 2000);
        System.out.printf(Locale.ROOT, "%nslow-consumer %s: %d clients at 100,000 updates/s, plus %d that stop reading "
                + "(%.1f s with all reading, then %.1f s after they stop)%n", target, clients, slow,
                measure.toMillis() / 1000.0, measure.toMillis() / 1000.0);
        try (ChildTarget t = ChildTarget.start(target, repo, STORES, 0);
             LoadClient client = new LoadClient(clientThreads)) {
            open(client, t, clients + slow, STORES);
            warmUp(t, client, clients);
            Step plain = run(t, client, 100, clients + slow, settle, measure);
            t.call("RATE 0");
            long before = t.heap();
            client.stopReading(slow);
            Step s = run(t, client, 100, clients, settle, measure);
            t.call("RATE 0");
            long after = t.heap();
            Map<String, Object> r = result("slow-consumer", target, clients, 0, s);
            r.put("slowClients", slow);
            r.put("serverHeapGrowthBytes", after - before);
            r.put("plainP99Micros", Math.round(plain.p99Millis() * 1000));
            if (plain.p99Millis() > 0) {
                r.put("p99VersusPlainRun", round(s.p99Millis() / plain.p99Millis()));
            }
            results.add(print(r));
            System.out.printf(Locale.ROOT, "  the others' p99 is %s the p99 with every client reading (%.2f ms); "
                    + "server heap %+.1f MB over the run (after GC)%n", r.containsKey("p99VersusPlainRun")
                    ? r.get("p99VersusPlainRun") + "x" : "(not comparable to)", plain.p99Millis(),
                    (after - before) / 1e6);
        }
    }

    // ---------------------------------------------------------------- running

    private void open(LoadClient client, ChildTarget t, int count, int stores) throws Exception {
        CompletableFuture<Void> opened = client.open(t.uri(), count, i -> List.of(
                "{\"op\":\"auth\",\"id\":\"a\",\"apiKey\":\"" + KEY + "\"}",
                "{\"op\":\"subscribe\",\"id\":\"s\",\"channel\":\"store:s" + (i % stores) + ":rates\"}"), 200);
        try {
            opened.get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not open " + count + " connections to " + t.name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Runs the market for a while so both JVMs compile the hot paths before anything is measured: 100,000 updates/s
     * over all the clients (1,000 clients: 100 ticks/s; 10,000: 10), so that no target starts the measurement behind.
     */
    private void warmUp(ChildTarget t, LoadClient client, int clients) throws IOException {
        t.call("RATE " + Math.max(1, Math.min(100, 100_000 / clients)));
        pause(Duration.ofMillis(quick ? 1500 : 5000));
        t.call("RATE 0");
        pause(Duration.ofMillis(500));
        client.sample();
    }

    /** Sets the rate, lets it settle, then measures one interval. */
    private static Step run(ChildTarget t, LoadClient client, int ticksPerSecond, int clients, Duration warm,
                            Duration measure) throws IOException {
        t.call("RATE " + ticksPerSecond);
        pause(warm);
        client.sample();
        pause(measure);
        LoadSample sample = client.sample();
        return new Step(ticksPerSecond, (double) ticksPerSecond * clients, sample);
    }

    private static void pause(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** One measured interval. */
    private record Step(int ticksPerSecond, double offered, LoadSample sample) {
        double seconds() {
            return sample.nanos() / 1e9;
        }

        double delivered() {
            return sample.updates() / seconds();
        }

        double frames() {
            return sample.frames() / seconds();
        }

        double p99Millis() {
            return sample.latencyMicros().getValueAtPercentile(99) / 1000.0;
        }
    }

    private static Map<String, Object> result(String scenario, String target, int clients, int batchMillis, Step s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", scenario);
        r.put("target", target);
        r.put("clients", clients);
        r.put("batchMillis", batchMillis);
        r.put("offeredUpdatesPerSec", Math.round(s.offered()));
        r.put("deliveredUpdatesPerSec", Math.round(s.delivered()));
        r.put("framesPerSec", Math.round(s.frames()));
        r.put("lost", s.sample().lost() + s.sample().outOfOrder());
        Histogram h = s.sample().latencyMicros();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("p50", h.getValueAtPercentile(50));
        l.put("p99", h.getValueAtPercentile(99));
        l.put("p999", h.getValueAtPercentile(99.9));
        l.put("max", h.getMaxValue());
        r.put("latencyMicros", l);
        return r;
    }

    private static Map<String, Object> print(Map<String, Object> r) {
        System.out.println("  " + row(r));
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    // ---------------------------------------------------------------- report

    private static String row(Map<String, Object> r) {
        @SuppressWarnings("unchecked")
        Map<String, Object> l = (Map<String, Object>) r.get("latencyMicros");
        Object heap = r.get("serverHeapBytesPerConnection");
        return String.format(Locale.ROOT, "%-14s %-10s %7s %5s %12s %12s %10s %6s %8s %8s %8s %8s %9s",
                r.get("scenario"), r.get("target"), String.format(Locale.ROOT, "%,d", (Integer) r.get("clients")),
                r.get("batchMillis"), String.format(Locale.ROOT, "%,d", (Long) r.get("offeredUpdatesPerSec")),
                String.format(Locale.ROOT, "%,d", (Long) r.get("deliveredUpdatesPerSec")),
                String.format(Locale.ROOT, "%,d", (Long) r.get("framesPerSec")), r.get("lost"),
                ms(l.get("p50")), ms(l.get("p99")), ms(l.get("p999")), ms(l.get("max")),
                heap == null ? "" : String.format(Locale.ROOT, "%,d B", (Long) heap));
    }

    private static String ms(Object micros) {
        return String.format(Locale.ROOT, "%.2f", ((Long) micros) / 1000.0);
    }

    private void printTable() {
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "%-14s %-10s %7s %5s %12s %12s %10s %6s %8s %8s %8s %8s %9s",
                "scenario", "target", "clients", "batch", "offered/s", "delivered/s", "frames/s", "lost",
                "p50 ms", "p99 ms", "p99.9 ms", "max ms", "heap/conn"));
        results.forEach(r -> System.out.println(row(r)));
        System.out.println();
        for (String scenario : SCENARIOS) {
            Map<String, Object> ours = find(scenario, "ratehub");
            if (ours == null) {
                continue;
            }
            for (String peer : List.of("tyrus-raw", "node-ws")) {
                Map<String, Object> theirs = find(scenario, peer);
                if (theirs != null) {
                    System.out.println(ratio(scenario, peer, ours, theirs));
                }
            }
        }
    }

    private Map<String, Object> find(String scenario, String target) {
        return results.stream().filter(r -> r.get("scenario").equals(scenario) && r.get("target").equals(target)
                && ((Integer) r.get("batchMillis")) == 0).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static String ratio(String scenario, String peer, Map<String, Object> ours, Map<String, Object> theirs) {
        double p99Ours = (Long) ((Map<String, Object>) ours.get("latencyMicros")).get("p99");
        double p99Theirs = (Long) ((Map<String, Object>) theirs.get("latencyMicros")).get("p99");
        String p99 = String.format(Locale.ROOT, "p99 %.2fx (lower is better)", p99Ours / Math.max(1, p99Theirs));
        return switch (scenario) {
            case "fanout" -> String.format(Locale.ROOT, "fanout: ratehub delivers %.2fx %s's sustained updates/s; %s",
                    (double) (Long) ours.get("deliveredUpdatesPerSec") / (Long) theirs.get("deliveredUpdatesPerSec"),
                    peer, p99);
            case "connections" -> String.format(Locale.ROOT, "connections: ratehub heap per connection %.2fx %s's; %s",
                    (double) (Long) ours.get("serverHeapBytesPerConnection")
                            / Math.max(1, (Long) theirs.get("serverHeapBytesPerConnection")), peer, p99);
            default -> String.format(Locale.ROOT, "%s: ratehub delivered %.2fx %s's updates/s of the same offer; %s",
                    scenario, (double) (Long) ours.get("deliveredUpdatesPerSec")
                            / Math.max(1, (Long) theirs.get("deliveredUpdatesPerSec")), peer, p99);
        };
    }

    // ---------------------------------------------------------------- targets

    private void setUpNode() throws IOException, InterruptedException {
        Path setup = repo.resolve("bench/setup.sh");
        if (!Files.exists(setup)) {
            throw new IllegalStateException("no " + setup + ": run from the ratehub checkout or pass --repo");
        }
        Process p = new ProcessBuilder("bash", setup.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(setup + " failed (exit " + p.exitValue() + ")");
        }
    }

    /** A target running as a child process, driven over its standard input and output. */
    static final class ChildTarget implements AutoCloseable {
        private final String name;
        private final Process process;
        private final BufferedReader from;
        private final PrintWriter to;
        private final URI uri;

        private ChildTarget(String name, Process process) throws IOException {
            this.name = name;
            this.process = process;
            this.from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.to = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            String ready = readLine(Duration.ofSeconds(60));
            String[] w = ready.split(" ");
            if (!w[0].equals("READY") || w.length != 3) {
                throw new IllegalStateException(name + " did not start: " + ready);
            }
            this.uri = URI.create("ws://127.0.0.1:" + w[1] + w[2]);
        }

        static ChildTarget start(String name, Path repo, int stores, int batchMillis) throws IOException {
            List<String> cmd = new ArrayList<>();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> jvm = List.of(java, "-Xms1g", "-Xmx2g", "-cp", System.getProperty("java.class.path"));
            List<String> common = List.of("--port", "0", "--stores", String.valueOf(stores), "--pairs",
                    String.valueOf(PAIRS));
            switch (name) {
                case "ratehub" -> {
                    cmd.addAll(jvm);
                    cmd.add(RatehubTarget.class.getName());
                    cmd.addAll(common);
                    cmd.addAll(List.of("--batch-ms", String.valueOf(batchMillis), "--key", KEY));
                }
                case "tyrus-raw" -> {
                    cmd.addAll(jvm);
                    cmd.add(TyrusRawTarget.class.getName());
                    cmd.addAll(common);
                }
                default -> {
                    cmd.addAll(List.of("node", "--expose-gc", repo.resolve("bench/node/server.js").toString()));
                    cmd.addAll(common);
                }
            }
            Path log = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "ratehub-bench"))
                    .resolve(name + ".log");
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            try {
                return new ChildTarget(name, p);
            } catch (IOException | RuntimeException e) {
                p.destroyForcibly();
                throw new IllegalStateException(e.getMessage() + " (its stderr: " + log + ")", e);
            }
        }

        String name() {
            return name;
        }

        URI uri() {
            return uri;
        }

        /** Sends a command line and returns the answer line. */
        String call(String line) throws IOException {
            to.println(line);
            String answer = readLine(Duration.ofSeconds(60));
            if (answer.startsWith("ERR")) {
                throw new IllegalStateException(name + " refused '" + line + "': " + answer);
            }
            return answer;
        }

        /** The target process's CPU time so far, all its threads (user and system). */
        Duration cpu() {
            return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
                    "no CPU time for " + name + " (pid " + process.pid() + ") on this system"));
        }

        long heap() throws IOException {
            return Long.parseLong(call("HEAP").substring(5).strip());
        }

        private String readLine(Duration timeout) throws IOException {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return from.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                String l = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (l == null) {
                    throw new IOException(name + " exited (status " + process.waitFor() + ")");
                }
                return l;
            } catch (TimeoutException e) {
                throw new IOException(name + " did not answer within " + timeout);
            } catch (ExecutionException e) {
                throw new IOException(name + ": " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        @Override
        public void close() {
            to.println("STOP");
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
