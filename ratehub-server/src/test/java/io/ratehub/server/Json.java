package io.ratehub.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds and reads the JSON of test messages, independently of the server's own codec. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /**
     * An object from alternating names and values: {@code obj("op", "lock", "amount", "10.00")}. Values may be
     * strings, numbers, booleans, {@code null}, {@link JsonNode}s or {@link Raw} text inserted verbatim.
     */
    static String obj(Object... namesAndValues) {
        return node(namesAndValues).toString();
    }

    static ObjectNode node(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must pair up");
        }
        ObjectNode n = MAPPER.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String name = (String) namesAndValues[i];
            Object v = namesAndValues[i + 1];
            if (v == null) {
                n.putNull(name);
            } else if (v instanceof String s) {
                n.put(name, s);
            } else if (v instanceof Integer x) {
                n.put(name, x);
            } else if (v instanceof Long x) {
                n.put(name, x);
            } else if (v instanceof Boolean b) {
                n.put(name, b);
            } else if (v instanceof JsonNode j) {
                n.set(name, j);
            } else if (v instanceof Raw r) {
                n.set(name, parse(r.text()));
            } else {
                throw new IllegalArgumentException("unsupported value " + v.getClass());
            }
        }
        return n;
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    /** JSON text put into a message as it is. */
    record Raw(String text) {
    }

    /** The updates a server frame carries: the frame itself, or the updates of a {@code batch}. */
    static java.util.List<JsonNode> updates(JsonNode frame) {
        java.util.List<JsonNode> updates = new java.util.ArrayList<>();
        if (frame.path("type").asText().equals("batch")) {
            frame.path("updates").forEach(updates::add);
        } else {
            updates.add(frame);
        }
        return updates;
    }
}
