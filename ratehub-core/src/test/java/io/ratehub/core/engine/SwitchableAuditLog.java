package io.ratehub.core.engine;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.audit.AuditVerification;
import java.util.List;

/** An in-memory audit log whose appends can be made to fail, as a full disk would. Thread-safe. */
final class SwitchableAuditLog implements AuditLog {
    private final AuditLog delegate = AuditLog.inMemory();
    private volatile boolean failing;

    /** From now on appends fail ({@code true}) or work again ({@code false}). */
    void failAppends(boolean fail) {
        this.failing = fail;
    }

    @Override
    public AuditEntry append(AuditRecord record) {
        if (failing) {
            throw new AuditException(ErrorCode.AUDIT_FAILURE, "append refused by the test", null);
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
        delegate.close();
    }
}
