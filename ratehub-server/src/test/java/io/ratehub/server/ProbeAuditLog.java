package io.ratehub.server;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.audit.AuditVerification;
import java.util.List;

/**
 * An in-memory audit log that can be told to fail its appends ({@code audit_failure}) and that remembers when,
 * and in what state of the world, it was closed.
 */
final class ProbeAuditLog implements AuditLog {
    private final AuditLog delegate = AuditLog.inMemory();
    private volatile boolean failing;
    private volatile Runnable onClose = () -> { };
    private volatile long closedAtNanos;
    private volatile int closes;

    /** From now on every append fails with {@code audit_failure} (or succeeds again). */
    void failAppends(boolean fail) {
        this.failing = fail;
    }

    /** Runs {@code probe} inside {@link #close()}, before the log closes: to look at the world at that moment. */
    void onClose(Runnable probe) {
        this.onClose = probe;
    }

    boolean isClosed() {
        return closes > 0;
    }

    int closeCount() {
        return closes;
    }

    long closedAtNanos() {
        return closedAtNanos;
    }

    List<AuditEntry> entries() {
        return delegate.query(AuditQuery.all());
    }

    @Override
    public AuditEntry append(AuditRecord record) {
        if (failing) {
            throw new AuditException(ErrorCode.AUDIT_FAILURE, "audit entry 7 could not be written to "
                    + "/srv/ratehub/data/audit.jsonl: java.io.IOException: No space left on device (simulated)", null);
        }
        return delegate.append(record);
    }

    @Override
    public List<AuditEntry> query(AuditQuery query) {
        return delegate.query(query);
    }

    @Override
    public AuditVerification verify() {
        return delegate.verify();
    }

    @Override
    public long lastSeq() {
        return delegate.lastSeq();
    }

    @Override
    public void close() {
        if (closes == 0) {
            onClose.run();
            closedAtNanos = System.nanoTime();
        }
        closes++;
        delegate.close();
    }
}
