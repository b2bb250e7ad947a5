package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.STORE;
import static io.ratehub.core.engine.EngineFixture.T0;
import static io.ratehub.core.engine.EngineFixture.USD_CAD;
import static io.ratehub.core.engine.EngineFixture.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ratehub.core.MutableClock;
import io.ratehub.core.ValidationException;
import io.ratehub.core.model.CurrencyCatalog;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EngineBuilderTest {

    private static ValidationException rejected(Consumer<RateEngine.Builder> config) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> {
            RateEngine.Builder b = RateEngine.builder();
            config.accept(b);
            b.build();
        });
        assertThat(e).as("expected a ValidationException").isNotNull();
        return e;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(RateEngine.Builder.DEFAULT_MAX_SOURCE_AGE).isEqualTo(Duration.ofSeconds(10));
        assertThat(RateEngine.Builder.DEFAULT_MAX_CLOCK_SKEW).isEqualTo(Duration.ofSeconds(5));
        assertThat(RateEngine.Builder.DEFAULT_OUTLIER_PERCENT).isEqualByComparingTo("2");
        assertThat(RateEngine.Builder.DEFAULT_MAX_OVERRIDE_DEVIATION_PERCENT).isEqualByComparingTo("5");
        assertThat(RateEngine.Builder.DEFAULT_OVERRIDE_DURATION).isEqualTo(Duration.ofHours(8));
        assertThat(RateEngine.Builder.DEFAULT_MAX_OVERRIDE_DURATION).isEqualTo(Duration.ofDays(31));
        assertThat(RateEngine.Builder.DEFAULT_LOCK_TTL).isEqualTo(Duration.ofMinutes(5));
        assertThat(RateEngine.Builder.DEFAULT_MAX_LOCK_TTL).isEqualTo(Duration.ofMinutes(30));
        assertThat(RateEngine.Builder.DEFAULT_LOCK_RETENTION).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void engineUsesTheInjectedClockAndCatalog() {
        MutableClock clock = MutableClock.at(T0);
        CurrencyCatalog catalog = CurrencyCatalog.builder().crypto("PEPE").build();
        RateEngine engine = RateEngine.builder().clock(clock).catalog(catalog).build();
        CurrencyPair pepe = new CurrencyPair("PEPE", "USD");

        engine.onQuote(new io.ratehub.core.model.MarketQuote(pepe, d("0.00000123"), d("0.00000125"), "dex", T0));

        assertThat(engine.clock()).isSameAs(clock);
        assertThat(engine.catalog()).isSameAs(catalog);
        assertThat(engine.marketRate(pepe).orElseThrow().mid()).isEqualTo(d("0.00000124"));
    }

    @Test
    void invalidSettingsAreRefusedNamingTheSetting() {
        assertThat(rejected(b -> b.maxSourceAge(Duration.ZERO)).field()).isEqualTo("maxSourceAge");
        assertThat(rejected(b -> b.maxSourceAge(null)).field()).isEqualTo("maxSourceAge");
        assertThat(rejected(b -> b.maxClockSkew(Duration.ofSeconds(-1))).field()).isEqualTo("maxClockSkew");
        assertThat(rejected(b -> b.outlierPercent(BigDecimal.ZERO)).field()).isEqualTo("outlierPercent");
        assertThat(rejected(b -> b.outlierPercent(new BigDecimal("100.1"))).field()).isEqualTo("outlierPercent");
        assertThat(rejected(b -> b.maxOverrideDeviationPercent(null)).field())
                .isEqualTo("maxOverrideDeviationPercent");
        assertThat(rejected(b -> b.defaultOverrideDuration(Duration.ofSeconds(-5))).field())
                .isEqualTo("defaultOverrideDuration");
        assertThat(rejected(b -> b.maxLockTtl(Duration.ZERO)).field()).isEqualTo("maxLockTtl");
        assertThat(rejected(b -> b.lockRetention(Duration.ZERO)).field()).isEqualTo("lockRetention");
        assertThat(rejected(b -> b.clock(null)).field()).isEqualTo("clock");
        assertThat(rejected(b -> b.catalog(null)).field()).isEqualTo("catalog");
        assertThat(rejected(b -> b.aggregation(null)).field()).isEqualTo("aggregation");
        assertThat(rejected(b -> b.auditLog(null)).field()).isEqualTo("auditLog");
        assertThat(rejected(b -> b.scheduler(null)).field()).isEqualTo("scheduler");
        assertThat(rejected(b -> b.lockIds(null)).field()).isEqualTo("lockIds");
    }

    @Test
    void defaultsMustNotExceedTheirMaximum() {
        assertThat(rejected(b -> b.maxLockTtl(Duration.ofMinutes(1))).field()).isEqualTo("defaultLockTtl");
        assertThat(rejected(b -> b.defaultOverrideDuration(Duration.ofDays(32))).field())
                .isEqualTo("defaultOverrideDuration");
        assertThat(RateEngine.builder().defaultLockTtl(Duration.ofMinutes(30)).build()).isNotNull();
    }

    /** Records what the engine asks to schedule instead of running it. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Runnable> tasks = new CopyOnWriteArrayList<>();
        final List<Long> delaysNanos = new CopyOnWriteArrayList<>();

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            tasks.add(command);
            delaysNanos.add(unit.toNanos(delay));
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
        }
    }

    @Test
    void schedulerIsAskedToRunTimersWhenTheyFallDue() {
        RecordingScheduler scheduler = new RecordingScheduler();
        try {
            EngineFixture f = new EngineFixture(b -> b.scheduler(scheduler));
            f.tick(USD_CAD, "feed-a", "1.00000", "1.00000");
            f.engine.setSpread(STORE, USD_CAD, io.ratehub.core.model.SpreadRule.bps("10", "10"), "o");
            RateLock l = f.engine.lock(LockTest.sell("1.00").withTtl(Duration.ofSeconds(5)));

            assertThat(scheduler.delaysNanos).containsExactly(Duration.ofSeconds(10).toNanos(),
                    Duration.ofSeconds(5).toNanos());

            f.clock.advanceSeconds(5);
            scheduler.tasks.get(1).run(); // the scheduler fires for the lock's expiry

            assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
            assertThat(scheduler.delaysNanos).as("re-armed for the source's staleness")
                    .last().isEqualTo(Duration.ofSeconds(5).toNanos());
        } finally {
            scheduler.shutdownNow();
        }
    }
}
