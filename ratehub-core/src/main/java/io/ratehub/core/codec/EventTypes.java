package io.ratehub.core.codec;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.ratehub.core.event.RateEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** The wire name of every event class, and the Jackson mix-in that writes it as {@code "type"}. */
final class EventTypes {
    static final Map<String, Class<? extends RateEvent>> BY_NAME = byName();

    private EventTypes() {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    interface Mixin {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Class<? extends RateEvent>> byName() {
        Map<String, Class<? extends RateEvent>> m = new LinkedHashMap<>();
        for (Class<?> c : RateEvent.class.getDeclaredClasses()) {
            if (c.isRecord() && RateEvent.class.isAssignableFrom(c)) {
                try {
                    String name = (String) c.getField("TYPE").get(null);
                    m.put(name, (Class<? extends RateEvent>) c);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("event " + c.getName() + " has no TYPE constant", e);
                }
            }
        }
        if (!m.keySet().containsAll(RateEvent.TYPES) || m.size() != RateEvent.TYPES.size()) {
            throw new IllegalStateException("RateEvent.TYPES and the event records disagree: " + m.keySet());
        }
        return Map.copyOf(m);
    }
}
