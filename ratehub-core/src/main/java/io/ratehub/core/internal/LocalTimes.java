package io.ratehub.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a frame's timestamps in a client's time zone: next to every field holding an ISO-8601 UTC instant
 * ({@code "asOf":"2026-11-21T09:00:00Z"}) it adds {@code "asOfLocal":"2026-11-21T10:00+01:00"} (the offset date-time
 * in the zone). The UTC fields stay as they are, so a client never has to trust the rendering.
 */
public final class LocalTimes {
    private static final io.ratehub.core.codec.JsonCodec CODEC = io.ratehub.core.codec.JsonCodec.create();
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");

    private LocalTimes() {
    }

    /** {@code json} with a {@code <field>Local} beside each instant field, rendered in {@code zone}. */
    public static String render(String json, ZoneId zone) {
        try {
            JsonNode root = CODEC.readTree(json); // exact decimals: app events keep their numbers
            walk(root, zone);
            return CODEC.encodeTree(root);
        } catch (RuntimeException e) {
            return json; // our own frames are JSON; never fail a send over a rendering
        }
    }

    private static void walk(JsonNode node, ZoneId zone) {
        if (node instanceof ObjectNode obj) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(obj.properties());
            for (Map.Entry<String, JsonNode> f : fields) {
                JsonNode v = f.getValue();
                if (v.isTextual() && INSTANT.matcher(v.asText()).matches()) {
                    try {
                        obj.put(f.getKey() + "Local", Instant.parse(v.asText()).atZone(zone).toOffsetDateTime()
                                .toString());
                    } catch (DateTimeParseException e) {
                        // not an instant after all: leave it
                    }
                } else {
                    walk(v, zone);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (JsonNode v : arr) {
                walk(v, zone);
            }
        }
    }
}
