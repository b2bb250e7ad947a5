package io.ratehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ratehub.client.ConnectionState;
import io.ratehub.client.LiveRate;
import io.ratehub.client.RateHubClient;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.RateHubException;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.engine.RateEngine;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyPair;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import io.ratehub.core.model.Side;
import io.ratehub.core.model.SpreadRule;
import io.ratehub.core.model.StoreRate;
import io.ratehub.core.protocol.Principal;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's behaviour, written once and run against both transports: in memory (the testkit) and real Tyrus
 * sockets, so that the testkit can never drift from production.
 */
abstract class ClientContractTest {
    static final CurrencyPair USD_CAD = CurrencyPair.parse("USD/CAD");
    static final CurrencyPair EUR_CAD = CurrencyPair.parse("EUR/CAD");

    /** What a transport gives the scenarios. */
    interface Fixture extends AutoCloseable {
        RateEngine engine();

        ScriptedMarket market();

        AuditLog audit();

        RateHubClient client(Principal p, Consumer<RateHubClient.Builder> customizer);

        /** Cuts the client's current link (both sides see it end). */
        void cut(RateHubClient client);

        /** Lets everything under way finish (in memory: the worker is idle; real: nothing to do). */
        void settle();

        @Override
        void close();
    }

    abstract Fixture newFixture();

    Fixture f;

    @BeforeEach
    void setUp() {
        f = newFixture();
        f.engine().setSpread("s1", USD_CAD, SpreadRule.bps("50", "50"), "owner");
        f.engine().setSpread("s1", EUR_CAD, SpreadRule.bps("80", "80"), "owner");
        f.market().set("USD/CAD", "1.36120", "1.36140").set("EUR/CAD", "1.47200", "1.47220");
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    RateHubClient connected(Principal p) {
        RateHubClient c = f.client(p, b -> { });
        c.connect().orTimeout(10, TimeUnit.SECONDS).join();
        return c;
    }

    void awaitCacheEqualsEngine(RateHubClient c, String store) {
        Await.until("the client's cache equals the engine's rates of " + store, () -> {
            f.settle();
            List<StoreRate> mine = new ArrayList<>();
            for (LiveRate r : c.rates(store)) {
                mine.add(r.rate());
            }
            return mine.equals(f.engine().storeRates(store));
        });
    }

    @Test
    void aTerminalSeesItsStoreRatesLiveInItsCache() {
        RateHubClient c = connected(Principal.terminal("t1", "s1"));
        c.subscribeStoreRates("s1", e -> { });
        awaitCacheEqualsEngine(c, "s1");
        // live once the subscription's catch-up is applied, which may complete a moment after the values arrive
        Await.until("the rate is live", () -> {
            f.settle();
            return c.rate("s1", USD_CAD).map(LiveRate::live).orElse(false);
        });
        LiveRate usd = c.rate("s1", USD_CAD).orElseThrow();
        assertThat(usd.rate().buy()).isEqualByComparingTo("1.35449");

        f.market().move("USD/CAD", "0.5");
        awaitCacheEqualsEngine(c, "s1");
        assertThat(c.rate("s1", USD_CAD).orElseThrow().rate().buy())
                .isEqualByComparingTo(f.engine().storeRate("s1", USD_CAD).orElseThrow().buy());
    }

    @Test
    void commandsReturnTypedResultsAndTypedFailures() {
        RateHubClient c = connected(Principal.terminal("t1", "s1"));
        RateLock lock = c.lock("s1", USD_CAD, Side.SELL, new BigDecimal("1000.00")).join();
        assertThat(lock.status()).isEqualTo(LockStatus.ACTIVE);
        assertThat(c.completeLock(lock.lockId(), "tx-1").join().status()).isEqualTo(LockStatus.COMPLETED);
        assertThat(c.completeLock(lock.lockId(), "tx-1").join().transactionRef()).isEqualTo("tx-1");

        Throwable other = catchThrowable(() -> c.completeLock(lock.lockId(), "tx-2").join());
        assertThat(other).isInstanceOf(CompletionException.class).cause().isInstanceOf(LockStateException.class);
        assertThat(((RateHubException) other.getCause()).code()).isEqualTo(ErrorCode.LOCK_ALREADY_COMPLETED);

        Throwable forbidden = catchThrowable(() -> c.setOverride("s1", USD_CAD, new BigDecimal("1.35"),
                new BigDecimal("1.37"), "no", null, false).join());
        assertThat(((RateHubException) forbidden.getCause()).code()).isEqualTo(ErrorCode.FORBIDDEN);

        Throwable bad = catchThrowable(() -> c.lock("s1", USD_CAD, Side.SELL, new BigDecimal("1000.001")).join());
        assertThat(((RateHubException) bad.getCause()).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aLockCompletedAcrossAReconnectIsCompletedOnce() {
        RateHubClient c = connected(Principal.terminal("t1", "s1"));
        RateLock lock = c.lock("s1", USD_CAD, Side.BUY, new BigDecimal("250.00"), null, "req-1").join();
        f.cut(c);
        Await.until("reconnected", () -> {
            f.settle();
            return c.state().status() == ConnectionState.Status.CONNECTED;
        });
        RateLock again = c.lock("s1", USD_CAD, Side.BUY, new BigDecimal("250.00"), null, "req-1").join();
        assertThat(again.lockId()).as("the same request id gives the same lock").isEqualTo(lock.lockId());
        c.completeLock(lock.lockId(), "tx-9").join();
        f.cut(c);
        Await.until("reconnected", () -> {
            f.settle();
            return c.state().status() == ConnectionState.Status.CONNECTED;
        });
        assertThat(c.completeLock(lock.lockId(), "tx-9").join().status()).isEqualTo(LockStatus.COMPLETED);
        assertThat(f.audit().query(AuditQuery.all()).stream().filter(e -> e.action().equals("lock.completed"))
                .count()).isEqualTo(1);
        assertThat(f.audit().query(AuditQuery.all()).stream().filter(e -> e.action().equals("lock.created"))
                .count()).isEqualTo(1);
    }

    @Test
    void afterManyCutsTheCacheEqualsTheHubAndLockEventsAreGapFreeWithoutDuplicates() {
        RateHubClient c = connected(Principal.manager("m1", "s1"));
        List<String> lockIds = Collections.synchronizedList(new ArrayList<>());
        c.subscribeStoreRates("s1", e -> { });
        c.subscribeLocks("s1", e -> lockIds.add(((RateEvent.LockCreated) e).lock().lockId()))
                .ready().orTimeout(10, TimeUnit.SECONDS).join();
        Random random = new Random(7);
        List<String> created = new ArrayList<>();
        for (int round = 0; round < 12; round++) {
            for (int i = 0; i < 5; i++) {
                f.market().move(random.nextBoolean() ? "USD/CAD" : "EUR/CAD", random.nextBoolean() ? "0.1" : "-0.1");
                created.add(f.engine().lock(io.ratehub.core.engine.LockRequest.of("s1", USD_CAD, Side.SELL,
                        new BigDecimal("10.00"), "clerk")).lockId());
            }
            if (random.nextInt(3) > 0) {
                f.cut(c);
            }
            f.settle();
        }
        Await.until("reconnected", () -> {
            f.settle();
            return c.state().status() == ConnectionState.Status.CONNECTED;
        });
        awaitCacheEqualsEngine(c, "s1");
        try {
            Await.until("every lock event arrived", () -> {
                f.settle();
                return lockIds.size() >= created.size();
            });
        } catch (AssertionError e) {
            throw new AssertionError("got " + lockIds.size() + " of " + created.size() + "; missing "
                    + created.stream().filter(id -> !lockIds.contains(id)).map(created::indexOf).toList(), e);
        }
        assertThat(lockIds).as("each lock event once, in order").containsExactlyElementsOf(created);
    }

    @Test
    void concurrentCommandsFromManyThreadsEachGetTheirOwnReply() throws Exception {
        RateHubClient c = connected(Principal.manager("m1", "s1"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<RateLock>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String amount = (i + 1) + ".00";
                CurrencyPair pair = i % 2 == 0 ? USD_CAD : EUR_CAD;
                futures.add(pool.submit(() -> c.lock("s1", pair, Side.BUY,
                        new BigDecimal(amount)).orTimeout(10, TimeUnit.SECONDS).join()));
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (int i = 0; i < futures.size(); i++) {
                RateLock l = futures.get(i).get(15, TimeUnit.SECONDS);
                assertThat(l.amount()).isEqualByComparingTo((i + 1) + ".00");
                ids.add(l.lockId());
            }
            assertThat(ids).hasSize(40);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusedCredentialsCloseTheClientWithoutReconnecting() {
        RateHubClient c = f.client(Principal.terminal("t1", "s1"), b -> b.apiKey("not-a-key-of-this-hub"));
        Throwable t = catchThrowable(() -> c.connect().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(t).hasCauseInstanceOf(RateHubException.class);
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CLOSED);
        assertThat(c.state().closeCode()).isEqualTo(4001);
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheClientOrOtherListeners() {
        RateHubClient c = connected(Principal.terminal("t1", "s1"));
        List<RateEvent> seen = Collections.synchronizedList(new ArrayList<>());
        c.subscribeStoreRates("s1", e -> {
            throw new IllegalStateException("listener bug");
        });
        c.subscribeStoreRates("s1", seen::add).ready().orTimeout(10, TimeUnit.SECONDS).join();
        f.market().move("USD/CAD", "0.2");
        Await.until("the second listener got updates", () -> {
            f.settle();
            return seen.size() >= 2;
        });
        assertThat(c.state().status()).isEqualTo(ConnectionState.Status.CONNECTED);
    }

    @Test
    void commandsWhileDisconnectedFailFastUnlessAskedToWait() {
        RateHubClient c = f.client(Principal.terminal("t1", "s1"), b -> { });
        Throwable t = catchThrowable(() -> c.lock("s1", USD_CAD, Side.SELL, new BigDecimal("1.00")).join());
        assertThat(((RateHubException) t.getCause()).code()).isEqualTo(ErrorCode.NOT_CONNECTED);

        RateHubClient patient = f.client(Principal.terminal("t2", "s1"),
                b -> b.waitForConnection(java.time.Duration.ofSeconds(30)));
        var pending = patient.lock("s1", USD_CAD, Side.SELL, new BigDecimal("1.00"));
        patient.connect();
        f.settle();
        assertThat(pending.orTimeout(10, TimeUnit.SECONDS).join().status()).isEqualTo(LockStatus.ACTIVE);
    }
}
