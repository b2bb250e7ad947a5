package io.ratehub.examples;

import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditQuery;
import io.ratehub.core.audit.AuditVerification;
import io.ratehub.core.audit.FileAuditLog;
import io.ratehub.core.codec.JsonCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ratehub audit}: verify an audit trail's hash chain, or query it. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Verify an audit trail (exit 0 when the chain holds, 1 when it does not) or query it.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Query.class})
final class AuditCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check every entry's sequence and hash.")
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", description = "the audit file (audit.jsonl)")
        Path file;

        @Override
        public Integer call() {
            AuditVerification v = FileAuditLog.verify(file);
            if (v.valid()) {
                System.out.println("OK: " + v.entriesChecked() + " entries, chain verified");
                return 0;
            }
            System.out.println("BROKEN at entry " + v.firstBadSeq() + " (line " + v.firstBadLine() + "): "
                    + v.problem());
            return 1;
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true, description = "Print matching entries as JSON lines.")
    static final class Query implements Callable<Integer> {
        @Parameters(index = "0", description = "the audit file (audit.jsonl)")
        Path file;

        @Option(names = "--store", description = "only this store")
        String store;

        @Option(names = "--pair", description = "only this pair, e.g. USD/CAD")
        String pair;

        @Option(names = "--actor", description = "only this actor")
        String actor;

        @Option(names = "--from", description = "only entries at or after this instant, e.g. 2026-11-21T09:00:00Z")
        Instant from;

        @Option(names = "--until", description = "only entries before this instant")
        Instant until;

        @Option(names = "--limit", defaultValue = "1000", description = "at most this many (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() {
            JsonCodec codec = JsonCodec.create();
            AuditQuery q = new AuditQuery(store, pair, actor, from, until, limit);
            try (FileAuditLog log = FileAuditLog.open(file)) {
                for (AuditEntry e : log.query(q)) {
                    System.out.println(codec.encode(e));
                }
            }
            return 0;
        }
    }
}
