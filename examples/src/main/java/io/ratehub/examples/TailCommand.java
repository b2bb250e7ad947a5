package io.ratehub.examples;

import io.ratehub.client.ChannelListener;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.codec.JsonCodec;
import io.ratehub.core.event.RateEvent;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ratehub tail}: prints every event of the given channels as JSON lines, for scripting. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the events of channels as JSON lines (one event per line) as they arrive.")
final class TailCommand implements Callable<Integer> {
    @Option(names = "--uri", defaultValue = "ws://127.0.0.1:8080/ratehub",
            description = "the hub's WebSocket URI (default: ${DEFAULT-VALUE})")
    URI uri;

    @Option(names = "--api-key", required = true, description = "an API key the hub accepts")
    String apiKey;

    @Option(names = "--count", defaultValue = "0", description = "exit after this many events; 0 runs until Ctrl-C")
    long count;

    @Option(names = "--timeout", defaultValue = "0", description = "with --count: give up after this many seconds (exit 1)")
    long timeoutSeconds;

    @Parameters(arity = "1..*", description = "channels: market, market:alerts, store:<id>:rates|alerts|locks, user:<id>, app:<name>")
    List<String> channels;

    @Override
    public Integer call() throws Exception {
        JsonCodec codec = JsonCodec.create();
        CountDownLatch enough = new CountDownLatch(1);
        AtomicLong seen = new AtomicLong();
        try (RateHubClient client = RateHubClient.builder().uri(uri).apiKey(apiKey).build()) {
            client.connect().get(10, TimeUnit.SECONDS);
            for (String channel : channels) {
                client.subscribeChannel(channel, new ChannelListener<>() {
                    @Override
                    public void onUpdate(Object value) {
                        long n = seen.incrementAndGet();
                        if (count > 0 && n > count) {
                            return; // enough printed; the client is closing
                        }
                        String line = value instanceof RateEvent e ? codec.encodeEvent(e) : String.valueOf(value);
                        System.out.println(line);
                        System.out.flush();
                        if (count > 0 && n == count) {
                            enough.countDown();
                        }
                    }

                    @Override
                    public void onGap(String ch, long from, long to) {
                        System.err.println("gap on " + ch + ": events " + from + ".." + to + " were lost");
                    }
                }).ready().get(10, TimeUnit.SECONDS);
            }
            if (count > 0 && timeoutSeconds > 0) {
                return enough.await(timeoutSeconds, TimeUnit.SECONDS) ? 0 : 1;
            }
            enough.await();
            return 0;
        }
    }
}
