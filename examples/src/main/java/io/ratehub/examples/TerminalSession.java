package io.ratehub.examples;

import io.ratehub.client.ConnectionState;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.model.CurrencyPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * What the interactive commands ({@code calculator}, {@code dashboard}) share: the hub options, the client, one
 * output lock, and a loop that reads commands from standard input (one per line) until {@code quit} or end of input.
 */
abstract class TerminalSession {
    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = "--uri", defaultValue = "ws://127.0.0.1:8080/ratehub",
            description = "the hub's WebSocket URI (default: ${DEFAULT-VALUE})")
    URI uri;

    @Option(names = "--api-key", required = true, description = "an API key the hub accepts (printed by `hub`)")
    String apiKey;

    @Option(names = "--store", required = true, description = "the store, e.g. downtown")
    String store;

    private final Object outputLock = new Object();
    private final PrintStream out = System.out;

    /** Prints lines as one block (listeners and the command loop print from different threads). */
    final void print(String... lines) {
        synchronized (outputLock) {
            for (String l : lines) {
                out.println(l);
            }
            out.flush();
        }
    }

    /** Runs {@code r} holding the output lock (for a redraw made of several writes). */
    final void withOutput(java.util.function.Consumer<PrintStream> r) {
        synchronized (outputLock) {
            r.accept(out);
            out.flush();
        }
    }

    final RateHubClient newClient() {
        return RateHubClient.builder().uri(uri).apiKey(apiKey).build();
    }

    static String describe(ConnectionState s) {
        return switch (s.status()) {
            case CONNECTED -> "CONNECTED";
            case CONNECTING -> "CONNECTING";
            case RECONNECTING -> "DISCONNECTED, reconnecting (attempt " + s.attempt() + " in "
                    + Math.max(1, s.nextDelay().toMillis() / 100) / 10.0 + " s)"
                    + (s.reason() == null ? "" : ": " + s.reason());
            case CLOSED -> "CLOSED" + (s.reason() == null ? "" : ": " + s.reason());
        };
    }

    /** Prints the store's cached rates, one line each, or why there are none. */
    final void printRates(RateHubClient client, Function<LiveRate, String> line) {
        List<LiveRate> rates = client.rates(store);
        print(rates.isEmpty() ? new String[] {"(no rates yet; connection: " + describe(client.state()) + ")"}
                : rates.stream().map(line).toArray(String[]::new));
    }

    /** Whether the hub refused this client for good (a bad key, say): the session then ends with status 1. */
    static boolean refusedForGood(RateHubClient client) {
        return client.state().status() == ConnectionState.Status.CLOSED;
    }

    static String now() {
        return LocalTime.now(ZoneId.systemDefault()).format(CLOCK);
    }

    /**
     * Reads commands until {@code quit}/{@code exit} or end of input; each line goes to {@link #execute}. A bad
     * command prints one {@code error:} line and the loop goes on.
     */
    final void commandLoop() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            String verb = words[0].toLowerCase(java.util.Locale.ROOT);
            if (verb.equals("quit") || verb.equals("exit")) {
                return;
            }
            try {
                if (verb.equals("help")) {
                    print(help());
                } else if (!execute(verb, Arrays.asList(words).subList(1, words.length))) {
                    print("error: unknown command '" + verb + "' (type help)");
                }
            } catch (Refused e) {
                print("refused: " + e.cause.code().wireName() + ": " + e.cause.getMessage());
            } catch (RateHubException | IllegalArgumentException | IllegalStateException | ArithmeticException
                     | java.time.DateTimeException e) {
                print("error: " + e.getMessage());
            }
        }
    }

    /** Runs one command; false when the verb is unknown. */
    abstract boolean execute(String verb, List<String> args);

    /** The command list shown by {@code help}. */
    abstract String[] help();

    /** The hub's refusal of a command (as opposed to a typing error caught here). */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RateHubException cause;

        Refused(RateHubException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    /** Waits for a command's result; the hub's refusal arrives as {@link Refused}. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RateHubException r) {
                throw new Refused(r);
            }
            throw new IllegalStateException("command failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    static void arity(List<String> args, int min, int max, String usage) {
        if (args.size() < min || args.size() > max) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    static CurrencyPair pair(String text) {
        return CurrencyPair.parse(text);
    }

    static BigDecimal decimal(String field, String text) {
        try {
            BigDecimal d = new BigDecimal(text);
            if (d.precision() - d.scale() > 12 || d.stripTrailingZeros().scale() > 12) {
                throw new ValidationException(field, text, "must have at most 12 integer digits and 12 decimals");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ValidationException(field, text, "must be a decimal number");
        }
    }

    static Duration minutes(String field, String text) {
        try {
            long m = Long.parseLong(text);
            if (m <= 0 || m > 1_000_000) {
                throw new ValidationException(field, text, "must be 1 to 1,000,000 minutes");
            }
            return Duration.ofMinutes(m);
        } catch (NumberFormatException e) {
            throw new ValidationException(field, text, "must be a whole number of minutes");
        }
    }

    static String rest(List<String> args, int from, String fallback) {
        return args.size() > from ? String.join(" ", args.subList(from, args.size())) : fallback;
    }
}
