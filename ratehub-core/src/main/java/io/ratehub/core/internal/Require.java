package io.ratehub.core.internal;

import io.ratehub.core.ValidationException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Argument checks shared by every public constructor and entry point. Each failure is a
 * {@link ValidationException} that names the field and the value.
 */
public final class Require {
    /** The most decimal places a price or amount may carry. */
    public static final int MAX_SCALE = 12;
    /** The most digits a price or amount may carry before the decimal point. */
    public static final int MAX_INTEGER_DIGITS = 12;

    /** The identifier rule, kept as documentation and for {@link #isId}'s tests. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final int MAX_TEXT = 500;

    private Require() {
    }

    /** The value, or a ValidationException naming {@code field} when it is null. */
    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new ValidationException(field, null, "is required");
        }
        return value;
    }

    /** A positive decimal within the scale and magnitude limits. */
    public static BigDecimal positive(String field, BigDecimal value) {
        notNull(field, value);
        if (value.signum() <= 0) {
            throw new ValidationException(field, show(value), "must be > 0");
        }
        return bounded(field, value);
    }

    /** A decimal that is zero or more, within the scale and magnitude limits. */
    public static BigDecimal nonNegative(String field, BigDecimal value) {
        notNull(field, value);
        if (value.signum() < 0) {
            throw new ValidationException(field, show(value), "must be >= 0");
        }
        return bounded(field, value);
    }

    private static BigDecimal bounded(String field, BigDecimal value) {
        if (value.scale() >= 0 && value.scale() <= MAX_SCALE
                && value.precision() - value.scale() <= MAX_INTEGER_DIGITS) {
            return value; // the common case, without allocating
        }
        BigDecimal stripped = value.stripTrailingZeros();
        int scale = Math.max(stripped.scale(), 0);
        if (scale > MAX_SCALE) {
            throw new ValidationException(field, show(value),
                    "must have at most " + MAX_SCALE + " decimal places");
        }
        if (stripped.precision() - stripped.scale() > MAX_INTEGER_DIGITS) {
            throw new ValidationException(field, show(value),
                    "must be below 10^" + MAX_INTEGER_DIGITS);
        }
        return value;
    }

    /**
     * A decimal as text for an error message: plain when short, scientific otherwise, so that a hostile
     * {@code 1e-999999999} is never expanded into a billion characters.
     */
    public static String show(BigDecimal value) {
        int intDigits = value.precision() - value.scale();
        return value.scale() > 40 || intDigits > 40 ? value.toString() : value.toPlainString();
    }

    /** A value with at most {@code scale} decimal places, without rounding it. */
    public static BigDecimal maxScale(String field, BigDecimal value, int scale, String context) {
        if (value.stripTrailingZeros().scale() > scale) {
            throw new ValidationException(field, show(value),
                    "must have at most " + scale + " decimal places for " + context);
        }
        return value;
    }

    /** An identifier: 1 to 64 characters of letters, digits and {@code _ . : -}, starting alphanumeric. */
    public static String id(String field, String value) {
        notNull(field, value);
        if (!isId(value)) {
            throw new ValidationException(field, value,
                    "must be 1-64 characters of letters, digits, '_', '.', ':' or '-', starting with a letter or digit");
        }
        return value;
    }

    /** Whether {@code value} is an identifier; the same rule as {@link #ID}, without a regex on hot paths. */
    public static boolean isId(String value) {
        int n = value.length();
        if (n == 0 || n > 64 || !Character.isLetterOrDigit(value.charAt(0)) || value.charAt(0) > 127) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Free text (a reason, an actor's name): not blank, at most 500 characters. */
    public static String text(String field, String value) {
        notNull(field, value);
        if (value.isBlank()) {
            throw new ValidationException(field, value, "must not be blank");
        }
        if (value.length() > MAX_TEXT) {
            throw new ValidationException(field, value, "must be at most " + MAX_TEXT + " characters");
        }
        return wellFormed(field, value);
    }

    /**
     * Text that can be written as UTF-8: no lone UTF-16 surrogate. A lone surrogate cannot be sent in a WebSocket
     * text frame, so it must never enter the hub (it would reach every subscriber of its channel).
     */
    public static String wellFormed(String field, String value) {
        int at = Unicode.loneSurrogate(value);
        if (at >= 0) {
            throw new ValidationException(field, value, String.format(
                    "must be well-formed Unicode (a lone surrogate \\u%04x at index %d)", (int) value.charAt(at), at));
        }
        return value;
    }


    /** A strictly positive duration. */
    public static Duration positive(String field, Duration value) {
        notNull(field, value);
        if (value.isNegative() || value.isZero()) {
            throw new ValidationException(field, value, "must be > 0");
        }
        return value;
    }

    /** A percentage in (0, 100]. */
    public static BigDecimal percent(String field, BigDecimal value) {
        positive(field, value);
        if (value.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new ValidationException(field, show(value), "must be <= 100");
        }
        return value;
    }
}
