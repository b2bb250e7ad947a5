package io.ratehub.core.engine;

import static io.ratehub.core.engine.EngineFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratehub.core.ErrorCode;
import io.ratehub.core.LockStateException;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.LockStatus;
import io.ratehub.core.model.RateLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LockConcurrencyTest {
    private static final int THREADS = 16;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs each task on its own thread, all released together, and returns each result or exception. */
    private List<Object> race(List<Callable<Object>> tasks) throws Exception {
        CyclicBarrier start = new CyclicBarrier(tasks.size());
        List<Future<Object>> futures = new ArrayList<>();
        for (Callable<Object> task : tasks) {
            futures.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                try {
                    return task.call();
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }
        List<Object> results = new ArrayList<>();
        for (Future<Object> f : futures) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void sixteenCompletionsWithOneReferenceMakeExactlyOneTransition() throws Exception {
        EngineFixture f = LockTest.market();
        RateLock l = f.engine.lock(LockTest.sell("100.00"));
        List<Callable<Object>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String actor = "till-" + i;
            tasks.add(() -> f.engine.completeLock(l.lockId(), "TX-1", actor));
        }

        List<Object> results = race(tasks);

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(RateLock.class));
        RateLock first = (RateLock) results.get(0);
        assertThat(first.status()).isEqualTo(LockStatus.COMPLETED);
        assertThat(first.transactionRef()).isEqualTo("TX-1");
        assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(first));
        assertThat(f.auditEntries("lock.completed")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockCompleted.class)).hasSize(1);
    }

    @Test
    void ofTwoTransactionsRacingExactlyOneWinsAndTheOtherIsRefused() throws Exception {
        EngineFixture f = LockTest.market();
        RateLock l = f.engine.lock(LockTest.sell("100.00"));
        List<Callable<Object>> tasks = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String ref = i % 2 == 0 ? "TX-A" : "TX-B";
            refs.add(ref);
            tasks.add(() -> f.engine.completeLock(l.lockId(), ref, "till"));
        }

        List<Object> results = race(tasks);

        RateLock done = f.engine.findLock(l.lockId()).orElseThrow();
        assertThat(done.status()).isEqualTo(LockStatus.COMPLETED);
        String winner = done.transactionRef();
        assertThat(winner).isIn("TX-A", "TX-B");
        for (int i = 0; i < THREADS; i++) {
            Object r = results.get(i);
            if (refs.get(i).equals(winner)) {
                assertThat(r).as("caller %d with the winning reference", i).isEqualTo(done);
            } else {
                assertThat(r).as("caller %d with the losing reference", i).isInstanceOf(LockStateException.class);
                assertThat(((LockStateException) r).code()).isEqualTo(ErrorCode.LOCK_ALREADY_COMPLETED);
            }
        }
        assertThat(f.auditEntries("lock.completed")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockCompleted.class)).hasSize(1);
    }

    @Test
    void sixteenLocksWithOneRequestIdCreateOneLock() throws Exception {
        EngineFixture f = LockTest.market();
        List<Callable<Object>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            tasks.add(() -> f.engine.lock(LockTest.sell("100.00").withRequestId("req-1")));
        }

        List<Object> results = race(tasks);

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(RateLock.class).isEqualTo(results.get(0)));
        assertThat(f.auditEntries("lock.created")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockCreated.class)).hasSize(1);
        assertThat(f.lockSeq.get()).as("lock ids drawn").isEqualTo(1);
    }

    @Test
    void completionsRacingTheExpiryTimerSeeOneExpiry() throws Exception {
        EngineFixture f = LockTest.market();
        RateLock l = f.engine.lock(LockTest.sell("100.00"));
        f.clock.set(l.expiresAt());
        List<Callable<Object>> tasks = new ArrayList<>();
        tasks.add(() -> f.engine.runDueTimers());
        for (int i = 1; i < THREADS; i++) {
            tasks.add(() -> f.engine.completeLock(l.lockId(), "TX-1", "till"));
        }

        List<Object> results = race(tasks);

        for (Object r : results.subList(1, results.size())) {
            assertThat(r).isInstanceOf(LockStateException.class);
            assertThat(((LockStateException) r).code()).isEqualTo(ErrorCode.LOCK_EXPIRED);
        }
        assertThat(f.engine.findLock(l.lockId()).orElseThrow().status()).isEqualTo(LockStatus.EXPIRED);
        assertThat(f.auditEntries("lock.expired")).hasSize(1);
        assertThat(f.events.of(RateEvent.LockExpired.class)).hasSize(1);
    }

    @Test
    void manyLocksCreatedCompletedAndCancelledInParallelStayConsistent() throws Exception {
        EngineFixture f = LockTest.market();
        int perThread = 40;
        List<Callable<Object>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                List<RateLock> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    RateLock l = f.engine.lock(LockTest.sell("10.00").withRequestId("r-" + thread + "-" + i));
                    mine.add(i % 2 == 0
                            ? f.engine.completeLock(l.lockId(), "TX-" + thread + "-" + i, "till")
                            : f.engine.cancelLock(l.lockId(), "till", "changed mind"));
                }
                return mine;
            });
        }

        List<Object> results = race(tasks);

        Set<String> ids = new HashSet<>();
        for (Object r : results) {
            assertThat(r).isInstanceOf(List.class);
            for (Object o : (List<?>) r) {
                RateLock l = (RateLock) o;
                assertThat(ids.add(l.lockId())).as("unique id %s", l.lockId()).isTrue();
                assertThat(f.engine.findLock(l.lockId())).contains(l);
            }
        }
        int total = THREADS * perThread;
        assertThat(ids).hasSize(total);
        assertThat(f.auditEntries("lock.created")).hasSize(total);
        assertThat(f.auditEntries("lock.completed")).hasSize(total / 2);
        assertThat(f.auditEntries("lock.cancelled")).hasSize(total / 2);
        assertThat(f.audit.verify().valid()).isTrue();

        f.clock.set(T0.plus(Duration.ofHours(1)));
        f.engine.runDueTimers();
        assertThat(f.events.of(RateEvent.LockExpired.class)).as("finished locks do not expire").isEmpty();
    }
}
