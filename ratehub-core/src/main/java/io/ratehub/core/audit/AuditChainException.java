package io.ratehub.core.audit;

import io.ratehub.core.AuditException;
import io.ratehub.core.ErrorCode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The audit chain is broken (an entry edited, removed, reordered or cut), so a store refuses to start an engine on
 * it. Code {@link ErrorCode#AUDIT_CORRUPT}. {@link #verification()} names the first break that is not accepted: its
 * seq, its line and the problem; {@link #file()} the log. The message says the same, that nothing was changed, and
 * how to start anyway once the break is investigated ({@code RateEngine.Builder.acceptBrokenChainAt(seq)}).
 * Immutable and thread-safe.
 */
public class AuditChainException extends AuditException {
    private static final long serialVersionUID = 1L;

    private final transient AuditVerification verification;
    private final transient Path file;

    /**
     * @param file the log file, or {@code null} when the log is not a file
     * @param verification the break: {@code valid} is false
     * @param message what is wrong, naming the file, the seq and the line
     */
    public AuditChainException(Path file, AuditVerification verification, String message) {
        super(ErrorCode.AUDIT_CORRUPT, message, null);
        this.file = file;
        this.verification = Objects.requireNonNull(verification, "verification");
    }

    /** The first break that is not accepted: {@code firstBadSeq}, {@code firstBadLine} and {@code problem}. */
    public AuditVerification verification() {
        return verification;
    }

    /** The seq at the break: the one to name to {@code acceptBrokenChainAt} after investigating it. */
    public long seq() {
        return verification.firstBadSeq();
    }

    /** The log file, or {@code null} when the log is not a file. */
    public Path file() {
        return file;
    }
}
