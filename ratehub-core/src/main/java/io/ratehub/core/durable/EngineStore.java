package io.ratehub.core.durable;

import io.ratehub.core.AuditException;
import io.ratehub.core.audit.AuditChainException;
import io.ratehub.core.audit.AuditLog;
import java.io.Closeable;

/**
 * Where an engine keeps its decisions durably and reads them back on start: the audit log it appends to, and the
 * recovery of every decision in force from it. Give one to {@code RateEngine.Builder.store(EngineStore)}; the
 * engine then rebuilds its state from the store before it accepts its first tick or command.
 *
 * <pre>{@code
 * try (EngineStore store = FileEngineStore.open(Path.of("data"))) {
 *     RateEngine engine = RateEngine.builder().store(store).build(); // recovers spreads, overrides, rules, locks
 *     ...
 * }
 * }</pre>
 *
 * <p>The embedded implementation is {@link FileEngineStore}; other stores (a database) implement this interface.
 * The engine neither closes the store nor its audit log: the caller that opened the store closes it, after the
 * engine's last command. Implementations are safe for concurrent use: {@link #auditLog()} is used by every thread
 * that makes a decision.
 */
public interface EngineStore extends Closeable {

    /**
     * The log every decision is appended to before it is applied; the same instance on every call.
     *
     * @return the store's audit log
     */
    AuditLog auditLog();

    /**
     * Reads back the decisions in force from what the store holds, checking the audit chain on the way. Called once
     * by the engine's builder, before the engine exists; it makes nothing happen that is due (expiries are the
     * engine's work, once it runs).
     *
     * <p>A break in the chain refuses the start with an {@link AuditChainException}, unless the break is at
     * {@link RecoveryOptions#acceptBrokenChainAt()} or an {@code audit.break_accepted} entry later in the log names
     * it. Past an accepted break, the line(s) at the break are skipped and the chain re-anchors on the next good
     * entry; the breaks accepted by the options and not yet recorded are returned in
     * {@link RecoveredState#breaksToRecord()}, for the engine to record once it runs.
     *
     * @param options the engine's lock retention and the break an operator accepts, if any
     * @return the decisions in force and what the chain check reported
     * @throws AuditChainException when the chain is broken at a seq that is not accepted (it names the seq and
     *     where the log is; nothing is changed)
     * @throws AuditException {@link io.ratehub.core.ErrorCode#AUDIT_CORRUPT} when an entry cannot be read, or
     *     {@link io.ratehub.core.ErrorCode#AUDIT_FAILURE} when the store cannot be read at all
     */
    RecoveredState recover(RecoveryOptions options);

    /** Closes the store and its audit log, waiting for appends in progress. Idempotent. */
    @Override
    void close();
}
