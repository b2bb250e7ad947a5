package io.ratehub.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.event.RateEvent;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateEventWireNameTest {

    /** Every concrete event record, found through the sealed hierarchy, with its TYPE constant. */
    private static Map<Class<?>, String> concreteTypes() throws ReflectiveOperationException {
        Map<Class<?>, String> out = new LinkedHashMap<>();
        List<Class<?>> todo = new ArrayList<>(List.of(RateEvent.class));
        while (!todo.isEmpty()) {
            Class<?> c = todo.remove(0);
            if (c.isSealed()) {
                todo.addAll(List.of(c.getPermittedSubclasses()));
            } else {
                assertThat(c.isRecord()).as("%s is a record", c.getSimpleName()).isTrue();
                Field type = c.getField("TYPE");
                assertThat(Modifier.isStatic(type.getModifiers()) && Modifier.isFinal(type.getModifiers()))
                        .as("%s.TYPE is a constant", c.getSimpleName()).isTrue();
                out.put(c, (String) type.get(null));
            }
        }
        return out;
    }

    @Test
    void everyEventTypeHasAUniqueWireNameListedInTypes() throws ReflectiveOperationException {
        Map<Class<?>, String> types = concreteTypes();

        assertThat(types).hasSize(20);
        assertThat(new HashSet<>(types.values())).as("unique").hasSameSizeAs(types.values());
        assertThat(RateEvent.TYPES).doesNotHaveDuplicates();
        assertThat(RateEvent.TYPES).containsExactlyInAnyOrderElementsOf(types.values());
        assertThat(types.values()).allSatisfy(t -> assertThat(t).matches("[a-z][a-z_]*[a-z]"));
    }

    @Test
    void wireNamesAreStable() {
        assertThat(RateEvent.TYPES).containsExactly(
                "market_data_update", "pair_stale", "pair_live", "source_stale", "source_outlier",
                "source_recovered", "rate_update", "spread_set", "spread_removed", "rate_override_set",
                "rate_override_cleared", "rate_override_expired", "threshold_set", "threshold_removed",
                "rate_threshold_breach", "rate_threshold_cleared", "rate_lock_created", "rate_lock_completed",
                "rate_lock_cancelled", "rate_lock_expired");
    }

    @Test
    void instanceTypeMatchesItsClassConstant() throws ReflectiveOperationException {
        EngineFixture f = new EngineFixture();
        f.tick(EngineFixture.USD_CAD, "feed-a", "1.00000", "1.00000");
        f.engine.setSpread(EngineFixture.STORE, EngineFixture.USD_CAD,
                io.ratehub.core.model.SpreadRule.bps("10", "10"), "o");
        f.engine.lock(LockTest.sell("1.00"));
        f.advanceSeconds(10);

        Map<Class<?>, String> types = concreteTypes();
        Set<String> seen = new HashSet<>();
        for (RateEvent e : f.events.all()) {
            assertThat(e.type()).isEqualTo(types.get(e.getClass()));
            assertThat(e.time()).isNotNull();
            seen.add(e.type());
        }
        assertThat(seen).contains("market_data_update", "spread_set", "rate_update", "rate_lock_created",
                "source_stale", "pair_stale");
    }
}
