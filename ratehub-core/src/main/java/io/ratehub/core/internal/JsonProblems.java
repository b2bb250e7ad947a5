package io.ratehub.core.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Says what was wrong with a JSON input in words for the client who sent it. Jackson's own messages name Java types
 * ({@code `java.math.BigDecimal`}, {@code class io.ratehub...Args$Lock}), parser features and source locations, none
 * of which a client should see; the reason is rebuilt here from the kind of problem and the type that was expected.
 * Stateless and thread-safe.
 */
public final class JsonProblems {
    private JsonProblems() {
    }

    /** The reason, such as {@code must be one of BUY, SELL}; never a class name. */
    public static String describe(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "is not a field of this message";
        }
        if (e instanceof MismatchedInputException m) {
            String text = String.valueOf(m.getOriginalMessage());
            if (text.startsWith("Duplicate field '")) {
                int end = text.indexOf('\'', 17);
                return "has the field " + (end > 17 ? text.substring(16, end + 1) : "") + " twice";
            }
            if (m.getTargetType() != null && !JsonNode.class.isAssignableFrom(m.getTargetType())) {
                return "must be " + expected(m.getTargetType());
            }
        }
        String hint = hint(e.getOriginalMessage());
        return "cannot be read" + (hint.isEmpty() ? "" : ": " + hint) + where(e.getLocation());
    }

    /** The parser's own words up to where they start naming sources, types or settings. */
    private static String hint(String message) {
        if (message == null) {
            return "";
        }
        String text = message;
        for (String cut : new String[] {"\n", " (start marker", " at [Source", ", from `", " for `", "`"}) {
            int at = text.indexOf(cut);
            if (at >= 0) {
                text = text.substring(0, at);
            }
        }
        text = text.strip();
        while (text.endsWith(":") || text.endsWith(",") || text.endsWith("(")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    /** What a value of {@code type} looks like on the wire. */
    static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", "));
        }
        if (type == BigDecimal.class) {
            return "a decimal number (a string such as \"1.25\")";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class
                || type == BigInteger.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return "an ISO-8601 duration such as \"PT5M\"";
        }
        if (type == Instant.class) {
            return "an ISO-8601 instant in UTC such as \"2026-11-21T09:00:00Z\"";
        }
        if (type.isArray() || Iterable.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "an object";
    }

    private static String where(JsonLocation at) {
        if (at == null || at.getLineNr() < 1) {
            return "";
        }
        return " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
