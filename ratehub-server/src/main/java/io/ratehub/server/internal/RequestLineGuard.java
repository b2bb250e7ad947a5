package io.ratehub.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeHolder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.Buffers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a malformed HTTP request line with a complete 400 (a JSON body, {@code Connection: close}) and closes the
 * connection, instead of leaving it to Grizzly's parser, which waits for a space that never comes (a line such as
 * {@code GARBAGE} or a few control bytes held the connection until the 30 s keep-alive timeout, with no answer).
 *
 * <p>A filter before the HTTP codec: it looks at the bytes of a request line without taking them, and passes them
 * on. A line must be {@code METHOD SP target SP HTTP/d.d} (empty lines before it are allowed); a byte that cannot
 * be part of such a line, or a line longer than {@link #MAX_LINE}, is refused as soon as it arrives. Once a line is
 * accepted the filter stays out of the way until the codec has finished that request. A request pipelined behind
 * another in the same read is left to Grizzly. Upgraded WebSocket connections are let through (their bytes normally
 * stop earlier, at {@link WebSocketUpgrade}'s frame filter).
 */
public final class RequestLineGuard implements AddOn {
    /** The longest request line accepted: 8 KiB, Grizzly's limit on a request's header block. */
    public static final int MAX_LINE = 8192;
    private static final Logger LOG = LoggerFactory.getLogger(RequestLineGuard.class);
    private static final Attribute<State> STATE = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute(RequestLineGuard.class.getName() + ".state");
    private static final Pattern LINE = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,32} [\\x21-\\x7e]+ HTTP/\\d\\.\\d");
    private static final byte[] ANSWER;

    static {
        byte[] body = "{\"code\":\"bad_request\",\"message\":\"malformed HTTP request line\"}"
                .getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        ANSWER = new byte[h.length + body.length];
        System.arraycopy(h, 0, ANSWER, 0, h.length);
        System.arraycopy(body, 0, ANSWER, h.length, body.length);
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int codec = builder.indexOfType(HttpServerFilter.class);
        if (codec < 0) {
            throw new IllegalStateException("the listener's filter chain has no HTTP codec");
        }
        builder.add(codec, new Guard());
    }

    /**
     * A connection's progress through its current request line. Accepted and refused connections share one instance
     * each, so a connection that goes on to upgrade keeps no line of its own.
     */
    private static final class State {
        static final State ACCEPTED = new State();
        static final State REFUSED = new State();
        final StringBuilder line = new StringBuilder();
    }

    private static final class Guard extends BaseFilter {
        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            Connection<?> connection = ctx.getConnection();
            State state = STATE.get(connection);
            if (WebSocketUpgrade.upgraded(connection)) {
                return ctx.getInvokeAction(); // in case the frame filter comes after this one
            }
            if (state == State.REFUSED) {
                return ctx.getStopAction();
            }
            if (state == State.ACCEPTED && requestInProgress(connection.getAttributes())) {
                return ctx.getInvokeAction();
            }
            if (state == null || state == State.ACCEPTED) { // a new connection, or the codec is done with a request
                state = new State();
                STATE.set(connection, state);
            }
            Buffer buffer = ctx.getMessage();
            for (int i = buffer.position(); i < buffer.limit(); i++) {
                int b = buffer.get(i) & 0xff;
                if (b == '\n') {
                    if (state.line.length() == 0) {
                        continue; // an empty line before the request line is allowed
                    }
                    if (!LINE.matcher(state.line).matches()) {
                        return refuse(ctx, state);
                    }
                    STATE.set(connection, State.ACCEPTED);
                    return ctx.getInvokeAction();
                }
                if (b == '\r') {
                    continue;
                }
                if (b < 0x20 || b > 0x7e || state.line.length() >= MAX_LINE || !plausible(state.line, b)) {
                    return refuse(ctx, state);
                }
                state.line.append((char) b);
            }
            return ctx.getInvokeAction();
        }

        /** Whether {@code b} may follow {@code line} in a request line (the method is a token of 1-32 characters). */
        private static boolean plausible(StringBuilder line, int b) {
            int space = line.indexOf(" ");
            if (space < 0) {
                return b == ' ' ? line.length() > 0 : line.length() < 32 && isTokenChar(b);
            }
            return true;
        }

        private static boolean isTokenChar(int b) {
            return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
                    || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
        }

        private static NextAction refuse(FilterChainContext ctx, State state) {
            Connection<?> connection = ctx.getConnection();
            STATE.set(connection, State.REFUSED);
            LOG.info("HTTP from {}: malformed request line {}; answered 400 and closing", connection.getPeerAddress(),
                    printable(state.line));
            ctx.write(Buffers.wrap(ctx.getMemoryManager(), ANSWER));
            connection.closeSilently(); // graceful: after the queued answer
            return ctx.getStopAction();
        }

        private static String printable(StringBuilder line) {
            String s = line.length() > 60 ? line.substring(0, 60) + "..." : line.toString();
            return '"' + s.replaceAll("[^\\x20-\\x7e]", "?") + '"';
        }

        /** Whether the HTTP codec holds a request it has not finished parsing (found as {@link WebSocketUpgrade} does). */
        private static boolean requestInProgress(AttributeHolder attributes) {
            for (String name : List.copyOf(attributes.getAttributeNames())) {
                if (attributes.getAttribute(name) instanceof HttpRequestPacket) {
                    return true;
                }
            }
            return false;
        }
    }
}
