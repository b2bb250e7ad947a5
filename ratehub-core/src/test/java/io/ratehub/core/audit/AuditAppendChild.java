package io.ratehub.core.audit;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The child process of {@link FileAuditLogCrashTest}: opens the log named by its argument and appends forever from
 * four threads, printing each sequence number to stdout only after {@code append} returned, until it is killed.
 */
public final class AuditAppendChild {
    private AuditAppendChild() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        FileAuditLog log = FileAuditLog.open(Path.of(args[0]));
        for (int t = 0; t < 4; t++) {
            String actor = "child-" + t;
            Thread thread = new Thread(() -> {
                for (long i = 0; ; i++) {
                    AuditEntry entry = log.append(new AuditRecord(Instant.now(), actor, "override.set", "s1",
                            "USD/CAD", Map.of("rate", "1.3500"), Map.of("rate", "1.36" + i), "crash test"));
                    synchronized (out) {
                        out.println(entry.seq());
                        out.flush();
                    }
                }
            }, actor);
            thread.start();
        }
    }
}
