package io.ratehub.core.audit;

import io.ratehub.core.AuditException;
import java.io.Closeable;
import java.util.List;

/**
 * The append-only, tamper-evident record of every rate decision, kept for the compliance auditor.
 *
 * <p>The engine appends one record per decision (spread set, override set/cleared/expired, threshold set,
 * lock created/completed/cancelled/expired) <em>before</em> it applies the decision or
 * acknowledges the command: when {@link #append(AuditRecord)} returns, the entry is durable. When it throws,
 * the decision is not made.
 *
 * <p>Implementations are safe for concurrent use by any number of threads. The embedded default is
 * {@link FileAuditLog}; {@link #inMemory()} keeps entries in memory only (tests, demos).
 */
public interface AuditLog extends Closeable {

    /**
     * Gives {@code record} the next sequence number and chained hash and stores it durably.
     *
     * @return the stored entry
     * @throws AuditException when the entry could not be made durable, or the log is closed
     */
    AuditEntry append(AuditRecord record);

    /** The entries matching {@code query}, in sequence order. */
    List<AuditEntry> query(AuditQuery query);

    /** Checks every entry's sequence number and hash chain, and reports the first that does not check out. */
    AuditVerification verify();

    /** The sequence number of the last entry, 0 when empty. */
    long lastSeq();

    /**
     * Closes the log, waiting for appends in progress. Further {@code append}, {@code query} and {@code verify}
     * calls fail with {@link AuditException}; {@link #lastSeq()} still answers. Idempotent.
     */
    @Override
    void close();

    /** A new log that keeps its (hash-chained) entries in memory only: for tests and demos, not for audit. */
    static AuditLog inMemory() {
        return new io.ratehub.core.internal.MemoryAuditLog();
    }
}
