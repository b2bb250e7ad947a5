package io.ratehub.core.audit;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import io.ratehub.core.ValidationException;
import io.ratehub.core.internal.AuditLines;
import io.ratehub.core.internal.ChainBreaks;
import io.ratehub.core.internal.Require;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, durable {@link AuditLog}: one append-only file of JSON lines, each entry hash-chained to the one
 * before, made durable (written and {@code fsync}ed) before {@link #append(AuditRecord)} returns.
 *
 * <h2>File format</h2>
 * One entry per line, UTF-8, {@code '\n'}-terminated, fields in a fixed order:
 * <pre>{@code
 * {"seq":1,"time":"2026-11-21T10:00:00Z","actor":"alice","action":"override.set","store":"s1","pair":"USD/CAD",
 *  "before":{"rate":"1.3500"},"after":{"rate":"1.3600"},"reason":"promo","hash":"9f2c...(64 hex)"}
 * }</pre>
 * {@code store}, {@code pair} and {@code reason} may be {@code null}; {@code before}/{@code after} keys are sorted.
 * {@code hash = hex(SHA-256(previous entry's hash as ASCII hex || the line's bytes))}, the bytes running from the
 * line's first byte up to, not including, {@code ,"hash":"}; the first entry chains to {@link AuditEntry#GENESIS_HASH}. Editing, removing or reordering any
 * entry breaks the chain at that entry, which {@link #verify()} reports. The file is plain text: {@code grep} and
 * {@code jq} read it. Next to it, {@code <file>.lock} holds an exclusive OS lock while the log is open, so that a
 * second process (or a second instance in this JVM) cannot append to the same file; the lock file is left in place.
 *
 * <h2>Durability and throughput</h2>
 * An append returns only after its line has been written and synced to the device ({@code fsync}, through
 * {@link java.io.FileDescriptor#sync()}). Concurrent appends share one sync (group commit) without a thread of the
 * log's own: the first appender to find no write in progress writes every entry queued so far and syncs once while
 * the others wait for it; entries are chained and written in sequence order. {@link #forceCount()} counts the
 * syncs. The file is written through {@link RandomAccessFile} rather than a {@link FileChannel} because an
 * interrupt during channel I/O closes the channel for every thread: interrupting an appending thread must not fail
 * the audit log. (For appends {@code fsync} costs what {@code fdatasync} does: the file size changes, and both
 * must flush it.) An interrupted appender still completes its append and keeps its interrupt status.
 *
 * <h2>Failure</h2>
 * If a write or sync fails, every entry of that batch and every entry queued behind it fails with
 * {@link AuditException} ({@link ErrorCode#AUDIT_FAILURE}), the file is truncated back to the end of the last
 * durable entry, and the log is <em>failed</em>: every later append throws {@code AUDIT_FAILURE}, because after a
 * failed {@code fsync} the operating system no longer guarantees what reached the disk. Queries and verification
 * still read the durable entries. Close the log and open it again once the cause (disk full, I/O error) is fixed. If
 * even the truncation fails (it is logged at ERROR), failed entries may still be in the file and reappear when it
 * is reopened: the trail then shows a decision that was not made, never the reverse.
 *
 * <h2>Recovery</h2>
 * {@link #open(Path)} reads the end of the file only, backwards in chunks, so opening does not grow with the log. A last line without its {@code '\n'}, or a last line that does not
 * parse, is the trace of a write torn by a crash (such an entry was never acknowledged): it is cut off, the file
 * is synced, a WARN is logged and {@link #recovery()} reports it. More damage than that at the end of the file (two
 * unparsable lines) is not a torn write, and {@code open} refuses the file ({@link ErrorCode#AUDIT_CORRUPT}) rather
 * than cut into it. Damage in the middle of the file (a bad line with good ones after it) is not repaired: the log
 * opens, continues the chain from the last line, and {@link #verify()} reports the damage.
 *
 * <h2>Limitation</h2>
 * The chain proves that no entry was edited, removed or reordered <em>before the last entry</em>. Cutting off the
 * newest entries leaves a shorter, valid chain. To detect that, record the {@code seq} and {@code hash} of
 * {@link #lastEntry()} (or {@link #lastSeq()} and {@link #lastHash()} when no appends run) somewhere the log's host
 * cannot rewrite (another system, a signed report), and check the file against them with
 * {@link #verify(Path, long, String)}.
 *
 * <h2>Queries</h2>
 * {@link #query(AuditQuery)} and {@link #verify()} scan the file sequentially from the start (there is no index),
 * reading only entries that are durable, so their cost grows with the file; they run concurrently with appends.
 *
 * <p>Safe for concurrent use by any number of threads.
 */
public final class FileAuditLog implements AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(FileAuditLog.class);

    private static final int READ_CHUNK = 64 * 1024;
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private final Path file;
    private final FileChannel lockChannel;
    private final AuditRecovery recovery;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a flush ends, successfully or not, and when the log fails. */
    private final Condition flushEnded = lock.newCondition();

    /**
     * Written only by the flusher (the one appender with {@code flushing == true}), outside the lock, and closed by
     * close() once no flush is under way; the lock orders those accesses.
     */
    private final RandomAccessFile data;

    // Guarded by lock.
    private long assignedSeq;
    private String assignedHash;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private AuditEntry pendingLast;
    private boolean flushing;
    private boolean closed;
    private Throwable failure;

    // Written under lock; volatile so that the accessors need not take it. One object, so that the last entry and
    // the file length are always read together.
    private volatile Durable durable;
    private volatile long forceCount;

    private FileAuditLog(Path file, FileChannel lockChannel, RandomAccessFile data, Tail tail) {
        this.file = file;
        this.lockChannel = lockChannel;
        this.data = data;
        this.recovery = tail.recovery();
        this.durable = tail.durable();
        this.assignedSeq = durable.seq();
        this.assignedHash = durable.hash();
    }

    /**
     * Opens the log in {@code file}, creating the file and its parent directories when missing, and repairs a torn
     * tail (see the class documentation).
     *
     * @throws AuditException {@link ErrorCode#AUDIT_FAILURE} when the file cannot be opened or is open already
     *     (in this or another process); {@link ErrorCode#AUDIT_CORRUPT} when its end is damaged beyond a torn write
     */
    public static FileAuditLog open(Path file) {
        Require.notNull("file", file);
        Path path = file.toAbsolutePath();
        FileChannel lockChannel = null;
        RandomAccessFile data = null;
        try {
            Path parent = path.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            lockChannel = FileChannel.open(lockFile(path), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock(lockChannel, path);
            // The lock is held, so no other instance can create the file between the check and the open.
            boolean created = Files.notExists(path);
            data = new RandomAccessFile(path.toFile(), "rw");
            if (created) {
                syncDirectory(parent);
            }
            Tail tail = recover(data, path);
            return new FileAuditLog(path, lockChannel, data, tail);
        } catch (IOException e) {
            closeQuietly(data);
            closeQuietly(lockChannel);
            throw new AuditException(ErrorCode.AUDIT_FAILURE, "cannot open audit log " + path + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(data);
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Verifies a log file without opening it for writing (for tools such as the CLI); the file is not modified.
     * Meant for a log that no process is appending to: on a live log the newest line may be caught half-written
     * and reported as incomplete. A torn tail that {@link #open(Path)} would repair is reported here.
     *
     * @return the outcome; {@code entriesChecked} counts the entries that checked out before the first problem
     * @throws AuditException {@link ErrorCode#AUDIT_CORRUPT} when the file is missing or cannot be read
     */
    public static AuditVerification verify(Path file) {
        Require.notNull("file", file);
        return verify(file, -1, new AuditLines.ChainCheck());
    }

    /**
     * Like {@link #verify(Path)}, and also checks the file against an anchor: a {@link #lastSeq()} and
     * {@link #lastHash()} recorded earlier outside the log's host. Detects what the chain alone cannot: the newest
     * entries cut off, or the whole file rewritten with a new, self-consistent chain.
     *
     * @param anchorSeq a sequence number the log had reached, >= 1
     * @param anchorHash the hash of entry {@code anchorSeq}, 64 lower-case hex digits
     * @throws AuditException {@link ErrorCode#AUDIT_CORRUPT} when the file is missing or cannot be read
     */
    public static AuditVerification verify(Path file, long anchorSeq, String anchorHash) {
        Require.notNull("file", file);
        if (anchorSeq < 1) {
            throw new ValidationException("anchorSeq", anchorSeq, "must be >= 1");
        }
        Require.notNull("anchorHash", anchorHash);
        if (!HASH.matcher(anchorHash).matches()) {
            throw new ValidationException("anchorHash", anchorHash, "must be 64 lower-case hex digits");
        }
        return verify(file, -1, new AuditLines.ChainCheck(anchorSeq, anchorHash));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once the entry is written and synced; concurrent appends share syncs.
     *
     * @throws AuditException {@link ErrorCode#AUDIT_FAILURE} when the entry could not be made durable or the log
     *     failed earlier; {@link ErrorCode#AUDIT_CORRUPT} when the log is closed
     * @throws ValidationException when a {@code before}/{@code after} value is {@code null} or the entry would be
     *     longer than 1 MiB; no sequence number is used up
     */
    @Override
    public AuditEntry append(AuditRecord record) {
        // Encoding is the costly part and needs no sequence number, so it happens before the lock.
        AuditLines.Prepared prepared = AuditLines.prepare(record);
        lock.lock();
        try {
            ensureWritable();
            long seq = assignedSeq + 1;
            AuditLines.Sealed sealed = AuditLines.seal(seq, prepared, assignedHash);
            assignedSeq = seq;
            assignedHash = sealed.entry().hash();
            pending.write(sealed.line(), 0, sealed.line().length);
            pendingLast = sealed.entry();
            while (true) {
                if (durable.seq() >= seq) {
                    return sealed.entry();
                }
                if (failure != null) {
                    throw new AuditException(ErrorCode.AUDIT_FAILURE,
                            "audit entry " + seq + " could not be written to " + file + ": " + failure, failure);
                }
                if (flushing) {
                    // Uninterruptibly: the entry is queued and will be written, so its fate must be awaited.
                    flushEnded.awaitUninterruptibly();
                } else {
                    flushPending();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Scans the file from the start and parses every durable entry (there is no index). Lines that do not
     * parse are skipped with a WARN; {@link #verify()} reports them.
     *
     * @throws AuditException {@link ErrorCode#AUDIT_CORRUPT} when the log is closed or the file cannot be read
     */
    @Override
    public List<AuditEntry> query(AuditQuery query) {
        Require.notNull("query", query);
        long length = readableLength();
        List<AuditEntry> matches = new ArrayList<>();
        long skipped = 0;
        try (LineReader lines = new LineReader(new RandomAccessFile(file.toFile(), "r"), length)) {
            while (matches.size() < query.limit() && lines.next()) {
                if (lines.tooLong || !lines.terminated) {
                    skipped++;
                    continue;
                }
                AuditEntry entry;
                try {
                    entry = AuditLines.parse(lines.line, 0, lines.length);
                } catch (AuditLines.MalformedLineException e) {
                    skipped++;
                    continue;
                }
                if (query.matches(entry)) {
                    matches.add(entry);
                }
            }
        } catch (IOException e) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "cannot read audit log " + file + ": " + e, e);
        }
        if (skipped > 0) {
            LOG.warn("Audit log {}: {} line(s) skipped by a query because they are not valid entries; run verify()",
                    file, skipped);
        }
        return List.copyOf(matches);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Streams the durable part of the file and checks the raw bytes of every line: sequence numbers 1, 2, 3...
     * and each chained hash. Reports the first problem: an edited entry (hash mismatch at its own seq), removed or
     * reordered entries (the seq expected where another was found), or a line that is not an entry; with its
     * 1-based line number. {@code entriesChecked} counts the entries that checked out before it.
     *
     * @throws AuditException {@link ErrorCode#AUDIT_CORRUPT} when the log is closed or the file cannot be read
     */
    @Override
    public AuditVerification verify() {
        return verify(file, readableLength(), new AuditLines.ChainCheck());
    }

    /**
     * Receives the entries of {@link #scan(long, long, String, EntryVisitor)} in order, each once its line has
     * checked out.
     */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * One entry whose sequence number and chained hash checked out.
         *
         * @param entry the entry, parsed once
         * @param lineStart the file offset of its line's first byte
         * @param nextOffset the file offset just past its line's {@code '\n'}: where the next entry starts
         */
        void visit(AuditEntry entry, long lineStart, long nextOffset);
    }

    /**
     * Streams the durable entries from {@code fromOffset} in order, checking the chain as {@link #verify()} does,
     * and hands each entry that checks out to {@code visitor}. Stops at the first line that does not check out and
     * reports it; nothing is handed over from that line on. For recovery and tools: this is how a store rebuilds
     * the engine's state from the log in one pass, without parsing a line twice. Runs concurrently with appends
     * and sees the entries durable when it starts.
     *
     * @param fromOffset the file offset of a line's first byte; 0 for the start of the file
     * @param expectedSeq the seq the line at {@code fromOffset} must hold; 1 at the start of the file
     * @param previousHash the hash of entry {@code expectedSeq - 1}; {@link AuditEntry#GENESIS_HASH} at the start
     * @param visitor receives every entry that checks out; an exception it throws ends the scan and propagates
     * @return the outcome: valid with the count of entries handed over, or the first bad seq and its line number
     *     (counted from the line at {@code fromOffset}, 1-based)
     * @throws AuditException {@link ErrorCode#AUDIT_CORRUPT} when the log is closed or the file cannot be read
     * @throws ValidationException when {@code fromOffset} is negative or past the durable end, or
     *     {@code expectedSeq < 1}
     */
    public AuditVerification scan(long fromOffset, long expectedSeq, String previousHash, EntryVisitor visitor) {
        return scan(fromOffset, expectedSeq, previousHash, visitor, null);
    }

    /**
     * Like {@link #scan(long, long, String, EntryVisitor)}, and with {@code breaks} not {@code null} it continues
     * past breaks instead of stopping at the first: each break goes to {@code breaks} as it is found, the line(s)
     * at the break are skipped (an edited line, a line that is not an entry, a seq lower than expected), and the
     * chain re-anchors on the next line that parses with at least the expected seq, trusting that line's own stored
     * hash (where entries were removed, the line holding the higher seq is itself the anchor); it is handed over.
     * For recovery that an operator allowed to pass a break they investigated; the caller decides what the breaks
     * mean. The return value reports the first break, or success with the count of entries handed over.
     *
     * @param breaks receives each break in log order, or {@code null} to stop at the first
     */
    public AuditVerification scan(long fromOffset, long expectedSeq, String previousHash, EntryVisitor visitor,
                                  java.util.function.Consumer<AuditVerification> breaks) {
        Require.notNull("previousHash", previousHash);
        Require.notNull("visitor", visitor);
        long end = readableLength();
        if (fromOffset < 0 || fromOffset > end) {
            throw new ValidationException("fromOffset", fromOffset, "must be within the durable part of the log, 0.."
                    + end);
        }
        if (expectedSeq < 1) {
            throw new ValidationException("expectedSeq", expectedSeq, "must be >= 1");
        }
        AuditLines.ChainCheck check = AuditLines.ChainCheck.resumingAt(expectedSeq, previousHash);
        if (breaks != null) {
            check.continuingPastBreaks(breaks);
        }
        try (LineReader lines = new LineReader(new RandomAccessFile(file.toFile(), "r"), fromOffset, end)) {
            long lineStart = lines.offset;
            while (check.ok() && lines.next()) {
                if (lines.tooLong) {
                    check.reject("longer than " + AuditLines.MAX_LINE_BYTES + " bytes");
                } else if (!lines.terminated) {
                    check.reject("the last line is incomplete (no '\\n' at its end)");
                } else if (check.accept(lines.line, 0, lines.length)) {
                    visitor.visit(check.lastEntry(), lineStart, lines.offset);
                }
                lineStart = lines.offset;
            }
            return check.result();
        } catch (IOException e) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "cannot read audit log " + file + ": " + e, e);
        }
    }

    /** The file this log writes. */
    public Path file() {
        return file;
    }

    /** The sequence number of the last durable entry, 0 when empty. Also after close. */
    @Override
    public long lastSeq() {
        return durable.seq();
    }

    /**
     * The hash of the last durable entry, {@link AuditEntry#GENESIS_HASH} when empty. Also after close. While
     * appends run, {@code lastSeq()} and {@code lastHash()} may describe different entries: take an anchor from
     * {@link #lastEntry()}.
     */
    public String lastHash() {
        return durable.hash();
    }

    /**
     * The last durable entry (empty when the log is), read atomically: its {@code seq} and {@code hash} make an
     * anchor that, kept outside this host, later detects removal of the newest entries or a rewritten file through
     * {@link #verify(Path, long, String)}. Also after close.
     */
    public Optional<AuditEntry> lastEntry() {
        return Optional.ofNullable(durable.last());
    }

    /** What {@link #open(Path)} repaired; {@link AuditRecovery#NONE} when the file was intact. */
    public AuditRecovery recovery() {
        return recovery;
    }

    /**
     * How many times the log synced the file since it was opened: a metric of group commit, lower than the number
     * of appends when appends run concurrently.
     */
    public long forceCount() {
        return forceCount;
    }

    /**
     * Waits for appends already under way to finish, then closes the file and releases its lock. Later appends,
     * queries and verifications fail with {@link ErrorCode#AUDIT_CORRUPT} ("audit log is closed"). Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // Appenders already queued drain the queue themselves; closing under them would fail their entries.
            while (flushing || pending.size() > 0) {
                flushEnded.awaitUninterruptibly();
            }
            closeQuietly(data);
            // Closing the channel releases the lock.
            closeQuietly(lockChannel);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "FileAuditLog[" + file + ", lastSeq=" + durable.seq() + "]";
    }

    private void ensureWritable() {
        if (closed) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "audit log is closed", null);
        }
        if (failure != null) {
            throw new AuditException(ErrorCode.AUDIT_FAILURE,
                    "audit log " + file + " failed and accepts no entries until reopened: " + failure, failure);
        }
    }

    private long readableLength() {
        lock.lock();
        try {
            if (closed) {
                throw new AuditException(ErrorCode.AUDIT_CORRUPT, "audit log is closed", null);
            }
            // Only durable bytes: a batch being written may be half on disk.
            return durable.length();
        } finally {
            lock.unlock();
        }
    }

    /** Writes and syncs every queued entry. Called with the lock held and no flush under way; returns with it held. */
    private void flushPending() {
        flushing = true;
        byte[] batch = pending.toByteArray();
        pending.reset();
        AuditEntry batchLast = pendingLast;
        long position = durable.length();
        Throwable error = null;
        boolean returned = false;
        lock.unlock();
        try {
            error = writeAndSync(batch, position);
            returned = true;
        } catch (RuntimeException | Error e) {
            error = e;
            throw e;
        } finally {
            // Whatever happened, the waiting appenders must learn their entries' fate rather than wait forever.
            lock.lock();
            flushing = false;
            if (returned && error == null) {
                durable = new Durable(batchLast, position + batch.length);
                forceCount++;
            } else {
                fail(error != null ? error : new IllegalStateException("audit write aborted"), position);
            }
            flushEnded.signalAll();
        }
    }

    /** The failure, or {@code null} when the batch is durable. Runs without the lock; only one flusher at a time. */
    private IOException writeAndSync(byte[] batch, long position) {
        try {
            data.seek(position);
            data.write(batch);
            data.getFD().sync();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Marks the log failed and cuts the file back to its durable length. Called with the lock held. */
    private void fail(Throwable error, long durableEnd) {
        failure = error;
        // Entries queued behind the failed batch chain on it, so they cannot be written either.
        pending.reset();
        LOG.error("Audit log {} failed; entries after seq {} were not recorded and the log accepts no more entries"
                + " until reopened", file, durable.seq(), error);
        try {
            if (data.length() > durableEnd) {
                data.setLength(durableEnd);
                data.getFD().sync();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Audit log {}: cannot truncate back to the last durable entry (seq {}, byte {}); entries that"
                    + " failed may reappear when the log is reopened", file, durable.seq(), durableEnd, e);
        }
    }

    private static AuditVerification verify(Path file, long length, AuditLines.ChainCheck check) {
        // Past a break the check goes on, so that an audit.break_accepted entry later in the log can be found.
        ChainBreaks breaks = new ChainBreaks();
        check.continuingPastBreaks(breaks::onBreak);
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r");
             LineReader lines = new LineReader(in, length < 0 ? in.length() : length)) {
            while (lines.next()) {
                if (lines.tooLong) {
                    check.reject("longer than " + AuditLines.MAX_LINE_BYTES + " bytes");
                } else if (!lines.terminated) {
                    check.reject("the last line is incomplete (no '\\n' at its end)");
                } else if (check.accept(lines.line, 0, lines.length)) {
                    breaks.onEntry(check.lastEntry());
                }
            }
            return breaks.report(check.result());
        } catch (FileNotFoundException e) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "no audit log at " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new AuditException(ErrorCode.AUDIT_CORRUPT, "cannot read audit log " + file + ": " + e, e);
        }
    }

    /** The last durable entry ({@code null} when none) and the length of the file up to its end. */
    private record Durable(AuditEntry last, long length) {
        long seq() {
            return last == null ? 0 : last.seq();
        }

        String hash() {
            return last == null ? AuditEntry.GENESIS_HASH : last.hash();
        }
    }

    /** Where the chain ends after recovery, and what recovery repaired. */
    private record Tail(Durable durable, AuditRecovery recovery) {
    }

    /** Finds the last valid line and cuts off a torn tail after it. */
    private static Tail recover(RandomAccessFile data, Path path) throws IOException {
        long size = data.length();
        // Only the last lines matter: read backwards from the end, in chunks, until three newlines are found (or the
        // start), so that opening does not grow with the log.
        long[] ends = lastLineEnds(data, size, 3);
        long end1 = ends[0];
        long end2 = ends[1];
        long end3 = ends[2];

        AuditEntry last = null;
        long goodEnd = 0;
        if (end1 >= 0) {
            last = readEntry(data, Math.max(end2, 0), end1 - 1);
            if (last != null) {
                goodEnd = end1;
            } else if (end2 >= 0) {
                last = readEntry(data, Math.max(end3, 0), end2 - 1);
                if (last == null) {
                    // Lines are counted only on this error path: the whole file is read once more.
                    long lines = countNewlines(data, end1);
                    throw new AuditException(ErrorCode.AUDIT_CORRUPT, "audit log " + path + ": lines " + (lines - 1)
                            + " and " + lines + " (bytes " + Math.max(end3, 0) + " to " + end1 + ") are not valid"
                            + " audit entries. That is more than a torn write, so the file is not repaired"
                            + " automatically; inspect it (FileAuditLog.verify(Path))", null);
                }
                goodEnd = end2;
            }
        }
        AuditRecovery recovery = AuditRecovery.NONE;
        if (goodEnd < size) {
            long discarded = size - goodEnd;
            data.setLength(goodEnd);
            data.getFD().sync();
            recovery = new AuditRecovery(true, discarded);
            LOG.warn("Audit log {}: cut off a torn tail of {} byte(s) after seq {} (an incomplete or unparsable last"
                    + " line left by a crash during a write; it was never acknowledged)", path, discarded,
                    last == null ? 0 : last.seq());
        }
        return new Tail(new Durable(last, goodEnd), recovery);
    }

    /**
     * The file offsets just past the last {@code count} newlines of {@code [0, size)}, newest first; -1 where the
     * file has fewer. Reads backwards from the end in chunks, so only the tail of the file is read.
     */
    static long[] lastLineEnds(RandomAccessFile data, long size, int count) throws IOException {
        long[] ends = new long[count];
        Arrays.fill(ends, -1);
        int found = 0;
        byte[] bytes = new byte[READ_CHUNK];
        long chunkEnd = size;
        while (chunkEnd > 0 && found < count) {
            int length = (int) Math.min(READ_CHUNK, chunkEnd);
            long chunkStart = chunkEnd - length;
            data.seek(chunkStart);
            data.readFully(bytes, 0, length);
            for (int i = length - 1; i >= 0 && found < count; i--) {
                if (bytes[i] == '\n') {
                    ends[found++] = chunkStart + i + 1;
                }
            }
            chunkEnd = chunkStart;
        }
        return ends;
    }

    private static long countNewlines(RandomAccessFile data, long end) throws IOException {
        byte[] bytes = new byte[READ_CHUNK];
        long count = 0;
        data.seek(0);
        for (long position = 0; position < end; ) {
            int read = data.read(bytes, 0, (int) Math.min(READ_CHUNK, end - position));
            if (read < 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (bytes[i] == '\n') {
                    count++;
                }
            }
            position += read;
        }
        return count;
    }

    /** The entry in {@code [start, end)} (end excludes the '\n'), or {@code null} when it is not a valid line. */
    private static AuditEntry readEntry(RandomAccessFile data, long start, long end) throws IOException {
        long length = end - start;
        if (length >= AuditLines.MAX_LINE_BYTES) {
            return null;
        }
        byte[] line = new byte[(int) length];
        data.seek(start);
        data.readFully(line);
        try {
            return AuditLines.parse(line, 0, line.length);
        } catch (AuditLines.MalformedLineException e) {
            return null;
        }
    }

    private static Path lockFile(Path path) {
        return path.resolveSibling(path.getFileName() + ".lock");
    }

    private static void lock(FileChannel lockChannel, Path path) throws IOException {
        // A separate lock file, because on POSIX closing any descriptor of a file drops this process's locks on it,
        // and queries open and close descriptors of the log file.
        FileLock fileLock;
        try {
            fileLock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            fileLock = null;
        }
        if (fileLock == null) {
            throw new AuditException(ErrorCode.AUDIT_FAILURE, "audit log " + path
                    + " is already open (locked through " + lockFile(path) + " by this or another process)", null);
        }
    }

    private static void syncDirectory(Path directory) {
        if (directory == null) {
            return;
        }
        // Makes the new file's directory entry durable on POSIX; Windows cannot open a directory, and does not
        // need this.
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot sync directory {}: {}", directory, e.toString());
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.warn("Cannot close {}: {}", closeable, e.toString());
        }
    }

    /**
     * Reads '\n'-terminated lines from a file up to a length, reusing one buffer. A line longer than
     * {@link AuditLines#MAX_LINE_BYTES} is skipped to its end and flagged rather than buffered.
     */
    private static final class LineReader implements AutoCloseable {
        private final RandomAccessFile in;
        private final byte[] chunk = new byte[READ_CHUNK];
        private long remaining;
        private int chunkPosition;
        private int chunkEnd;

        byte[] line = new byte[1024];
        int length;
        boolean terminated;
        boolean tooLong;
        /** The file offset just after the last line read (past its '\n'): where the next line starts. */
        long offset;

        LineReader(RandomAccessFile in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        /** Reads from {@code start} up to, not including, {@code end}. */
        LineReader(RandomAccessFile in, long start, long end) throws IOException {
            this(in, Math.max(0, end - start));
            in.seek(start);
            this.offset = start;
        }

        /** Reads the next line; {@code false} at the end. */
        boolean next() throws IOException {
            length = 0;
            terminated = false;
            tooLong = false;
            boolean any = false;
            while (true) {
                if (chunkPosition == chunkEnd && !fill()) {
                    return any;
                }
                any = true;
                byte[] bytes = chunk;
                int newline = chunkPosition;
                while (newline < chunkEnd && bytes[newline] != '\n') {
                    newline++;
                }
                append(bytes, chunkPosition, newline - chunkPosition);
                offset += newline - chunkPosition;
                if (newline < chunkEnd) {
                    offset++;
                    chunkPosition = newline + 1;
                    terminated = true;
                    return true;
                }
                chunkPosition = chunkEnd;
            }
        }

        private void append(byte[] bytes, int from, int count) {
            if (tooLong) {
                return;
            }
            if (length + count >= AuditLines.MAX_LINE_BYTES) {
                tooLong = true;
                return;
            }
            if (length + count > line.length) {
                line = Arrays.copyOf(line, Math.max(length + count, line.length * 2));
            }
            System.arraycopy(bytes, from, line, length, count);
            length += count;
        }

        private boolean fill() throws IOException {
            if (remaining <= 0) {
                return false;
            }
            int read = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
            if (read <= 0) {
                return false;
            }
            remaining -= read;
            chunkPosition = 0;
            chunkEnd = read;
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
