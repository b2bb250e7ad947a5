package io.ratehub.core.durable;

import io.ratehub.core.AuditEntryException;
import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.audit.AuditChainException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditVerification;
import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.internal.ChainBreaks;
import io.ratehub.core.internal.Require;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link EngineStore}: a directory holding the engine's {@link FileAuditLog}, {@code audit.jsonl}.
 * Recovery replays the whole log once, in order, checking every entry's seq and chained hash as it goes, and
 * folds the decisions with {@link StateFold}. Start time therefore grows with the log (a checkpoint that bounds it
 * is planned; see docs/design/durability.md).
 *
 * <p>A broken chain (an edited, removed or reordered entry, or a line that is not an entry) refuses the start with
 * an {@link AuditChainException} ({@link ErrorCode#AUDIT_CORRUPT}) naming the seq, the line and the file; the file
 * is not changed. An operator who has investigated starts anyway by naming that seq
 * ({@link RecoveryOptions#acceptingBrokenChainAt(long)}, {@code RateEngine.Builder.acceptBrokenChainAt}); the engine
 * then records an {@code audit.break_accepted} entry, and later starts pass that break without the option. A torn last line left by a crash is cut off when the log opens, as {@link FileAuditLog#open(Path)}
 * documents: it was never acknowledged.
 *
 * <p>Safe for concurrent use; {@link #recover(RecoveryOptions)} is meant to run once, before the engine starts.
 */
public final class FileEngineStore implements EngineStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileEngineStore.class);

    /** The log's file name inside the data directory. */
    public static final String AUDIT_FILE = "audit.jsonl";

    private final Path dataDir;
    private final FileAuditLog log;

    private FileEngineStore(Path dataDir, FileAuditLog log) {
        this.dataDir = dataDir;
        this.log = log;
    }

    /**
     * Opens the store in {@code dataDir}, creating the directory and an empty log when missing. The log is locked
     * against a second writer (in this or another process) until {@link #close()}.
     *
     * @param dataDir the data directory
     * @return the open store
     * @throws AuditException as {@link FileAuditLog#open(Path)}: the log cannot be opened, is open already, or its
     *     end is damaged beyond a torn write
     */
    public static FileEngineStore open(Path dataDir) {
        Require.notNull("dataDir", dataDir);
        Path dir = dataDir.toAbsolutePath();
        return new FileEngineStore(dir, FileAuditLog.open(dir.resolve(AUDIT_FILE)));
    }

    /** The data directory. */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public FileAuditLog auditLog() {
        return log;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Streams the durable entries of {@code audit.jsonl} once with
     * {@link FileAuditLog#scan(long, long, String, FileAuditLog.EntryVisitor, java.util.function.Consumer)},
     * continuing past breaks; whether each break is accepted is decided at the end of the scan, since an
     * {@code audit.break_accepted} entry naming it may follow.
     */
    @Override
    public RecoveredState recover(RecoveryOptions options) {
        Require.notNull("options", options);
        StateFold fold = new StateFold(options.lockRetention());
        ChainBreaks breaks = new ChainBreaks();
        long started = System.nanoTime();
        AuditVerification chain;
        try {
            chain = log.scan(0, 1, AuditEntry.GENESIS_HASH, (entry, lineStart, next) -> {
                breaks.onEntry(entry);
                fold.apply(entry);
            }, breaks::onBreak);
        } catch (AuditEntryException e) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "audit log " + log.file() + ": " + e.getMessage()
                    + "; the engine did not start. Inspect the entry (ratehub audit query), the file was not changed",
                    e);
        }
        List<AuditVerification> toRecord = new ArrayList<>();
        long accept = options.acceptBrokenChainAt().orElse(0);
        for (AuditVerification b : breaks.unaccepted()) {
            if (b.firstBadSeq() == accept && toRecord.isEmpty()) {
                toRecord.add(b);
                continue;
            }
            throw new AuditChainException(log.file(), b, "audit log " + log.file() + " is broken at seq "
                    + b.firstBadSeq() + " (line " + b.firstBadLine() + "): " + b.problem()
                    + "; the engine did not start and the file was not changed. Inspect it with `ratehub audit verify "
                    + log.file() + "`; once investigated, start anyway with RateEngine.Builder.acceptBrokenChainAt("
                    + b.firstBadSeq() + ")" + (accept > 0 ? " (acceptBrokenChainAt(" + accept + ") names "
                    + (accept == b.firstBadSeq() ? "an earlier break at the same seq" : "another seq") + ")" : ""));
        }
        if (accept > 0 && toRecord.isEmpty() && breaks.acceptedAt(accept).isEmpty()) {
            LOG.warn("Audit log {}: acceptBrokenChainAt({}) names no break in the chain; it has no effect", log.file(),
                    accept);
        }
        for (AuditVerification b : breaks.all()) {
            LOG.warn("Audit log {}: passed the break at seq {} (line {}): {}; {}", log.file(), b.firstBadSeq(),
                    b.firstBadLine(), b.problem(), breaks.acceptedAt(b.firstBadSeq()).isPresent()
                            ? "accepted at seq " + breaks.acceptedAt(b.firstBadSeq()).getAsLong()
                            : "accepted now (acceptBrokenChainAt), to be recorded as " + ChainBreaks.BREAK_ACCEPTED);
        }
        FoldedState state = fold.snapshot();
        LOG.info("Recovered engine state from {}: {} entries up to seq {} in {} ms ({} spreads, {} overrides, {} rules,"
                + " {} locks; {} entries skipped, {} inconsistencies)", log.file(), chain.entriesChecked(),
                state.seq(), (System.nanoTime() - started) / 1_000_000, state.spreads().size(),
                state.overrides().size(), state.rules().size(), state.locks().size(), state.skipped(),
                state.inconsistencies());
        if (state.inconsistencies() > 0) {
            LOG.warn("Audit log {}: {} decision(s) did not fit the state before them; each was applied as far as it"
                    + " could be", log.file(), state.inconsistencies());
        }
        return new RecoveredState(state, chain, toRecord);
    }

    @Override
    public void close() {
        log.close();
    }

    @Override
    public String toString() {
        return "FileEngineStore[" + dataDir + "]";
    }
}
