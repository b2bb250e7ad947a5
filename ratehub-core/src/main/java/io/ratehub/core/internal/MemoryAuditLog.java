package io.ratehub.core.internal;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditLog;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.audit.AuditVerification;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AuditLog} that keeps its entries in memory only, for tests and demos ({@link AuditLog#inMemory()}).
 *
 * <p>Entries get the same lines and hashes as in the file log, so the same records appended to either log end with
 * the same {@link #lastHash()}; {@link #verify()} checks the kept lines exactly as the file log checks its file.
 * Safe for concurrent use; every operation takes one lock, and {@link #query(AuditQuery)} scans all entries.
 */
public final class MemoryAuditLog implements AuditLog {
    private final ReentrantLock lock = new ReentrantLock();
    private final List<AuditEntry> entries = new ArrayList<>();
    /** The encoded lines, kept so that verify() checks bytes rather than re-encoded entries. */
    private final List<byte[]> lines = new ArrayList<>();
    private String lastHash = AuditEntry.GENESIS_HASH;
    private boolean closed;

    /** An empty log. */
    public MemoryAuditLog() {
    }

    @Override
    public AuditEntry append(AuditRecord record) {
        AuditLines.Prepared prepared = AuditLines.prepare(record);
        lock.lock();
        try {
            ensureOpen();
            AuditLines.Sealed sealed = AuditLines.seal(entries.size() + 1L, prepared, lastHash);
            entries.add(sealed.entry());
            lines.add(sealed.line());
            lastHash = sealed.entry().hash();
            return sealed.entry();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<AuditEntry> query(AuditQuery query) {
        Require.notNull("query", query);
        lock.lock();
        try {
            ensureOpen();
            List<AuditEntry> matches = new ArrayList<>();
            for (AuditEntry entry : entries) {
                if (query.matches(entry)) {
                    matches.add(entry);
                    if (matches.size() == query.limit()) {
                        break;
                    }
                }
            }
            return List.copyOf(matches);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AuditVerification verify() {
        lock.lock();
        try {
            ensureOpen();
            AuditLines.ChainCheck check = new AuditLines.ChainCheck();
            for (byte[] line : lines) {
                if (!check.accept(line, 0, line.length - 1)) {
                    break;
                }
            }
            return check.result();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long lastSeq() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** The hash of the last entry, {@link AuditEntry#GENESIS_HASH} when empty. */
    public String lastHash() {
        lock.lock();
        try {
            return lastHash;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "audit log is closed", null);
        }
    }
}
