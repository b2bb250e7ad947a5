package io.ratehub.examples.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ratehub.server.internal.GrizzlyContainer;
import io.ratehub.server.internal.WebSocketUpgrade;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * A minimal rate broadcaster on raw Tyrus (Jakarta WebSocket on Grizzly): the peer the load tool measures side by
 * side with ratehub, behaving exactly like the Node.js peer ({@code bench/node/server.js}). Deliberately what a team
 * would hand-roll: no auth, no recovery, no queues of its own; each tick builds one frame string per store and hands
 * it to {@code session.getAsyncRemote().sendText(frame)} for every subscriber.
 *
 * <pre>
 * java -cp ... io.ratehub.examples.load.TyrusRawTarget --port 0 --stores 10 --pairs 20
 * </pre>
 *
 * <p>The control channel is stdin/stdout, one line per message. Once listening it prints
 * {@code READY <port> /raw}, then answers each command with one line: {@code RATE <n>} → {@code OK},
 * {@code HEAP} → {@code HEAP <bytes>} (heap used after full GCs), {@code STATS} →
 * {@code STATS <ticks> <updatesSent>}, anything else → {@code ERR <message>}; {@code STOP} exits 0 without an
 * answer, and so does the end of stdin. Nothing else goes to stdout ({@code System.out} is pointed at stderr).
 *
 * <p>Clients send {@code {"op":"subscribe","id":..,"channel":"store:s3:rates"}}; anything else is ignored.
 *
 * <p>The listener is a Grizzly {@link HttpServer} bound to 127.0.0.1 with Tyrus plugged in exactly as in ratehub's own
 * server ({@link GrizzlyContainer} and {@link WebSocketUpgrade}, which lets the HTTP layer go after the upgrade), so
 * the two differ only in what runs above the transport. Tyrus's ready-made {@code org.glassfish.tyrus.server.Server}
 * always binds 0.0.0.0 (and takes port 0 to mean 8025).
 */
public final class TyrusRawTarget {
    /** The pairs, in order; {@code --pairs n} takes the first n. */
    static final List<String> ALL_PAIRS = List.of(
            "USD/CAD", "EUR/CAD", "GBP/CAD", "CAD/JPY", "AUD/CAD", "CHF/CAD", "CAD/MXN", "NZD/CAD", "CAD/SEK",
            "CAD/NOK", "CAD/DKK", "CAD/HKD", "CAD/SGD", "CAD/CNY", "CAD/INR", "CAD/KRW", "CAD/BRL", "CAD/ZAR",
            "CAD/PLN", "CAD/TRY");
    /** The WebSocket endpoint's path. */
    static final String PATH = "/raw";

    private static final String HOST = "127.0.0.1";
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Store> stores = new LinkedHashMap<>(); // by channel name
    private final Store[] storeList;
    private final String[] pairs;
    private final double[] mids;
    private final Random random = new Random();
    private final HttpServer http;
    private final int port;
    private final TargetProcess.Ticker market;
    private long marketTicks; // the market thread's own count, for the round-robin
    private final Object statsLock = new Object(); // so that STATS sees both counts of the same tick
    private long ticks; // guarded by statsLock
    private long updatesSent; // guarded by statsLock

    /**
     * One store's channel: its sequence number and its subscribers, changed under the store's monitor. The set is
     * copy-on-write because a send that fails closes the session and runs onClose on the sending thread, in the
     * middle of the iteration.
     */
    private static final class Store {
        final String id;
        final String channel;
        final Set<Session> sessions = new CopyOnWriteArraySet<>();
        long seq;

        Store(String id) {
            this.id = id;
            this.channel = "store:" + id + ":rates";
        }
    }

    /** A rate and when it was set; a new instance restarts the pacing. */
    private TyrusRawTarget(int port, int storeCount, int pairCount) throws IOException, DeploymentException {
        for (int i = 0; i < storeCount; i++) {
            Store store = new Store("s" + i);
            stores.put(store.channel, store);
        }
        this.storeList = stores.values().toArray(new Store[0]);
        this.pairs = ALL_PAIRS.subList(0, pairCount).toArray(new String[0]);
        this.mids = new double[pairCount];
        Arrays.fill(mids, 1.3);

        // The same container as ratehub's server (Tyrus's engine on our own Grizzly listener), default frame limit.
        GrizzlyContainer container = new GrizzlyContainer(1 << 20, "/");
        container.register(ServerEndpointConfig.Builder.create(Connection.class, PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new Connection(TyrusRawTarget.this));
                    }
                })
                .build());
        this.http = new HttpServer();
        NetworkListener listener = new NetworkListener("raw", HOST, port);
        listener.registerAddOn(new WebSocketUpgrade(container));
        http.addListener(listener);
        http.start();
        this.port = listener.getPort();
        try {
            container.start("/", this.port);
        } catch (IOException | DeploymentException | RuntimeException e) {
            http.shutdownNow();
            throw e;
        }
        this.market = new TargetProcess.Ticker("market", this::tick);
        market.start();
    }

    /**
     * Runs the broadcaster until {@code STOP} or the end of stdin.
     *
     * @param args {@code [--port N] [--stores N] [--pairs 1..20]}
     */
    public static void main(String[] args) throws IOException {
        int port = 0;
        int storeCount = 10;
        int pairCount = 20;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                int value = Integer.parseInt(args[i + 1]);
                switch (args[i]) {
                    case "--port" -> port = value;
                    case "--stores" -> storeCount = value;
                    case "--pairs" -> pairCount = value;
                    default -> throw new IllegalArgumentException("unknown option: " + args[i]);
                }
            }
            if (port < 0 || port > 65535 || storeCount < 1 || pairCount < 1 || pairCount > ALL_PAIRS.size()) {
                throw new IllegalArgumentException("need 0 <= port <= 65535, stores >= 1, 1 <= pairs <= 20");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: TyrusRawTarget [--port N] [--stores N] [--pairs 1..20]");
            System.exit(2);
            return;
        }
        TyrusRawTarget target;
        try {
            target = new TyrusRawTarget(port, storeCount, pairCount);
        } catch (IOException | DeploymentException e) {
            System.err.println("cannot start: " + e);
            System.exit(1);
            return;
        }
        try {
            TargetProcess.serve(target.port, PATH, target.market::rate, target::stats);
        } finally {
            target.stop();
        }
        System.exit(0);
    }

    private String stats() {
        synchronized (statsLock) {
            return ticks + " " + updatesSent;
        }
    }

    private void stop() {
        market.shutdown();
        http.shutdownNow();
    }

    // ---- Market: TargetProcess.Ticker calls tick() at the rate the parent sets. ----

    private void tick() {
        int p = (int) (marketTicks++ % pairs.length);
        double mid = mids[p] * (1 + (random.nextDouble() - 0.5) * 0.0001);
        mids[p] = mid;
        String pair = pairs[p];
        String midText = fixed5(mid);
        String buy = fixed5(mid * (1 - 0.005));
        String sell = fixed5(mid * (1 + 0.005));
        String time = MICROS.format(Instant.now());
        long sent = 0;
        for (Store store : storeList) {
            synchronized (store) {
                long seq = ++store.seq;
                String frame = "{\"type\":\"update\",\"channel\":\"" + store.channel + "\",\"epoch\":\"bench\",\"seq\":"
                        + seq + ",\"key\":\"" + pair + "\",\"event\":{\"type\":\"rate_update\",\"rate\":{\"storeId\":\""
                        + store.id + "\",\"pair\":\"" + pair + "\",\"buy\":\"" + buy + "\",\"sell\":\"" + sell
                        + "\",\"mid\":\"" + midText + "\",\"basis\":\"MARKET\",\"asOf\":\"" + time
                        + "\",\"validUntil\":null,\"stale\":false},\"time\":\"" + time + "\"}}";
                for (Session session : store.sessions) {
                    try {
                        session.getAsyncRemote().sendText(frame);
                        sent++;
                    } catch (RuntimeException e) {
                        // closed (IllegalStateException), and onClose has not removed it yet
                    }
                }
            }
        }
        synchronized (statsLock) {
            ticks++;
            updatesSent += sent;
        }
    }

    /** Rounds half up on the double's exact value to 5 places, like JavaScript's {@code toFixed(5)}. */
    private static String fixed5(double x) {
        return new BigDecimal(x).setScale(5, RoundingMode.HALF_UP).toPlainString();
    }

    // ---- Connections. ----

    private void onText(Session session, String text) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return;
        }
        JsonNode op = msg == null ? null : msg.get("op");
        if (op == null || !op.isTextual() || !op.textValue().equals("subscribe")) {
            return; // auth and everything else: ignored
        }
        JsonNode channel = msg.get("channel");
        Store store = channel != null && channel.isTextual() ? stores.get(channel.textValue()) : null;
        ObjectNode reply = JSON.createObjectNode();
        if (store == null) {
            reply.put("type", "error");
            putId(reply, msg);
            reply.put("code", "forbidden").put("message", "no such channel");
            session.getAsyncRemote().sendText(reply.toString());
            return;
        }
        reply.put("type", "subscribed");
        putId(reply, msg);
        reply.put("channel", store.channel).put("kind", "STATE").put("epoch", "bench");
        // Under the store's monitor: no tick between reading seq, queueing the reply and joining the set, so the
        // first update the client gets is seq + 1, after the reply.
        synchronized (store) {
            reply.put("seq", store.seq).put("recovery", "SNAPSHOT").put("count", 0);
            session.getAsyncRemote().sendText(reply.toString());
            store.sessions.add(session);
        }
    }

    private static void putId(ObjectNode reply, JsonNode msg) {
        JsonNode id = msg.get("id");
        if (id != null) {
            reply.set("id", id);
        }
    }

    private void onClose(Session session) {
        for (Store store : storeList) {
            synchronized (store) {
                store.sessions.remove(session);
            }
        }
    }

    /** The endpoint, one instance per connection (public: Tyrus calls its methods reflectively). */
    public static final class Connection extends Endpoint {
        private final TyrusRawTarget target;

        Connection(TyrusRawTarget target) {
            this.target = target;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            // As ratehub does: Tyrus's default idle timeout (0) re-arms a task on every send; the transport's
            // ceiling is measured without that cost.
            session.setMaxIdleTimeout(-1);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> target.onText(session, text));
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            target.onClose(session);
        }
    }
}
