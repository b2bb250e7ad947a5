package io.ratehub.core.internal;

import io.ratehub.core.engine.ListenerRegistration;
import io.ratehub.core.engine.RateEventListener;
import io.ratehub.core.event.RateEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers events to listeners, isolating the engine from a listener that throws. */
public final class EventBus {
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final CopyOnWriteArrayList<RateEventListener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener; the registration removes it. */
    public ListenerRegistration add(RateEventListener listener) {
        Require.notNull("listener", listener);
        // Wrapped, so that removing one registration never removes another of the same listener.
        RateEventListener registered = listener::onEvent;
        listeners.add(registered);
        return () -> listeners.remove(registered);
    }

    /** Delivers one event to every listener, in registration order. */
    public void publish(RateEvent event) {
        for (RateEventListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("event listener {} failed on {}; the engine carries on", l, event.type(), e);
            }
        }
    }

    /** Delivers events in order. */
    public void publishAll(List<RateEvent> events) {
        for (RateEvent e : events) {
            publish(e);
        }
    }
}
