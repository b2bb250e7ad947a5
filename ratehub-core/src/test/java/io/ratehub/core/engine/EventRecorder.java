package io.ratehub.core.engine;

import io.ratehub.core.event.RateEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Keeps every event the engine delivers, in delivery order. Thread-safe. */
final class EventRecorder implements RateEventListener {
    private final CopyOnWriteArrayList<RateEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(RateEvent event) {
        events.add(event);
    }

    /** Every event so far. */
    List<RateEvent> all() {
        return List.copyOf(events);
    }

    /** The events of one type, in order. */
    <T extends RateEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** The wire names of every event so far, in order. */
    List<String> types() {
        return events.stream().map(RateEvent::type).collect(Collectors.toList());
    }

    /** Forgets the events so far. */
    void clear() {
        events.clear();
    }
}
