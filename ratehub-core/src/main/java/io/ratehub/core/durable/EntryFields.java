package io.ratehub.core.durable;

import io.ratehub.core.AuditEntryException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.model.CurrencyPair;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;

/** Reads one entry's fields and map values, turning each missing or ill-formed one into an AuditEntryException. */
final class EntryFields {
    private final AuditEntry entry;

    EntryFields(AuditEntry entry) {
        this.entry = entry;
    }

    long seq() {
        return entry.seq();
    }

    Instant time() {
        if (entry.time() == null) {
            throw corrupt("time", "is missing");
        }
        return entry.time();
    }

    String actor() {
        return present("actor", entry.actor());
    }

    String store() {
        return present("store", entry.storeId());
    }

    String reason() {
        return entry.reason();
    }

    String requiredReason() {
        return present("reason", entry.reason());
    }

    /**
     * The entry's pair. Split on '/' and checked for shape only, not against a catalog: the engine that wrote it
     * may have had its own.
     */
    CurrencyPair pair() {
        String text = present("pair", entry.pair());
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw corrupt("pair", "must be BASE/QUOTE, was \"" + text + '"');
        }
        try {
            return new CurrencyPair(text.substring(0, slash), text.substring(slash + 1));
        } catch (ValidationException e) {
            throw corrupt("pair", "must be BASE/QUOTE, was \"" + text + '"');
        }
    }

    String after(String key) {
        return required("after", entry.after(), key);
    }

    String before(String key) {
        return required("before", entry.before(), key);
    }

    String afterOrNull(String key) {
        return entry.after().get(key);
    }

    String beforeOrNull(String key) {
        return entry.before().get(key);
    }

    BigDecimal decimal(String map, String key, String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw corrupt(map + '.' + key, "must be a decimal number, was \"" + text + '"');
        }
    }

    Instant instant(String map, String key, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw corrupt(map + '.' + key, "must be an ISO-8601 instant, was \"" + text + '"');
        }
    }

    Duration duration(String map, String key, String text) {
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw corrupt(map + '.' + key, "must be an ISO-8601 duration, was \"" + text + '"');
        }
    }

    boolean bool(String map, String key, String text) {
        if (text.equals("true")) {
            return true;
        }
        if (text.equals("false")) {
            return false;
        }
        throw corrupt(map + '.' + key, "must be true or false, was \"" + text + '"');
    }

    <E extends Enum<E>> E constant(Class<E> type, String map, String key, String text) {
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            throw corrupt(map + '.' + key, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", was \"" + text + '"');
        }
    }

    /**
     * Builds a model value, reporting a refusal of its constructor as this entry's corruption, with the key the
     * model named in {@code map}.
     */
    <T> T build(String map, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (ValidationException e) {
            throw corrupt(map + '.' + e.field(), "is refused: " + e.getMessage());
        }
    }

    AuditEntryException corrupt(String key, String problem) {
        return new AuditEntryException(entry.seq(), entry.action(), key, problem);
    }

    private String required(String map, Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            throw corrupt(map + '.' + key, "is missing");
        }
        return v;
    }

    private String present(String key, String value) {
        if (value == null || value.isEmpty()) {
            throw corrupt(key, "is missing");
        }
        return value;
    }
}
