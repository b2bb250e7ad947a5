package io.ratehub.core.internal;

import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditVerification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The breaks a scan that continues past them found, and which of them an {@code audit.break_accepted} entry later in
 * the log accepts. Feed it every break and every entry in log order. Not thread-safe: one per scan.
 */
public final class ChainBreaks {
    /** The action of the {@code system} entry that records an operator's acceptance of a break. */
    public static final String BREAK_ACCEPTED = "audit.break_accepted";

    private final List<AuditVerification> breaks = new ArrayList<>();
    /** Break seq → seq of the entry accepting it. */
    private final Map<Long, Long> acceptedAt = new HashMap<>();

    /** A break, as the chain check reports it. */
    public void onBreak(AuditVerification v) {
        breaks.add(v);
    }

    /** An entry handed over by the scan: an acceptance counts for a break found before it. */
    public void onEntry(AuditEntry e) {
        if (!BREAK_ACCEPTED.equals(e.action())) {
            return;
        }
        String seq = e.after().get("seq");
        if (seq == null) {
            return;
        }
        long named;
        try {
            named = Long.parseLong(seq);
        } catch (NumberFormatException ex) {
            return;
        }
        for (AuditVerification b : breaks) {
            if (b.firstBadSeq() == named) {
                acceptedAt.putIfAbsent(named, e.seq());
            }
        }
    }

    /** Every break, in log order. */
    public List<AuditVerification> all() {
        return List.copyOf(breaks);
    }

    /** The seq of the entry that accepts the break at {@code seq}, if one follows it. */
    public OptionalLong acceptedAt(long seq) {
        Long at = acceptedAt.get(seq);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** The breaks no entry in the log accepts, in log order. */
    public List<AuditVerification> unaccepted() {
        List<AuditVerification> out = new ArrayList<>();
        for (AuditVerification b : breaks) {
            if (!acceptedAt.containsKey(b.firstBadSeq())) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * What a verification reports: the first break, with "accepted at seq Y" added when an entry accepts it, and
     * the first break no entry accepts named as well when it is a later one; success when there is no break.
     */
    public AuditVerification report(AuditVerification scanResult) {
        if (breaks.isEmpty()) {
            return scanResult;
        }
        AuditVerification first = breaks.get(0);
        OptionalLong at = acceptedAt(first.firstBadSeq());
        if (at.isEmpty()) {
            return first;
        }
        StringBuilder problem = new StringBuilder(first.problem()).append("; accepted at seq ")
                .append(at.getAsLong()).append(" (").append(BREAK_ACCEPTED).append(')');
        List<AuditVerification> open = unaccepted();
        if (!open.isEmpty()) {
            AuditVerification next = open.get(0);
            problem.append("; a later break at seq ").append(next.firstBadSeq()).append(" (line ")
                    .append(next.firstBadLine()).append(") is not accepted: ").append(next.problem());
        } else if (breaks.size() > 1) {
            problem.append("; ").append(breaks.size() - 1).append(" later break(s), each accepted");
        }
        return AuditVerification.failed(first.entriesChecked(), first.firstBadSeq(), first.firstBadLine(),
                problem.toString());
    }
}
