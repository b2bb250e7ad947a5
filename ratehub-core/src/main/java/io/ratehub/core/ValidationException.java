package io.ratehub.core;

/**
 * Bad input: a field is null, malformed or out of range. The message, {@link #field()} and {@link #value()}
 * name exactly what was rejected, for example {@code bid: must be > 0, was -1.2}. A call that throws this
 * changed nothing.
 *
 * <p>Immutable and thread-safe.
 */
public class ValidationException extends RateHubException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String value;

    /**
     * @param field the name of the rejected field, as in the API or the wire protocol
     * @param value the rejected value (as given; {@code null} for a missing value)
     * @param reason why it was rejected
     */
    public ValidationException(String field, Object value, String reason) {
        this(ErrorCode.INVALID_ARGUMENT, field, value, reason);
    }

    /**
     * @param code a more specific code than {@link ErrorCode#INVALID_ARGUMENT}
     * @param field the name of the rejected field
     * @param value the rejected value
     * @param reason why it was rejected
     */
    public ValidationException(ErrorCode code, String field, Object value, String reason) {
        super(code, io.ratehub.core.internal.Unicode.escapeLoneSurrogates(field) + ": "
                + io.ratehub.core.internal.Unicode.escapeLoneSurrogates(reason) + ", was " + render(value));
        this.field = io.ratehub.core.internal.Unicode.escapeLoneSurrogates(field);
        this.value = value == null ? null : String.valueOf(value);
    }

    /** A refusal received from a server: its message is kept as sent, the value is not known. */
    private ValidationException(ErrorCode code, String field, String message, boolean fromWire) {
        super(code, message);
        this.field = field;
        this.value = null;
    }

    /**
     * The exception a client raises for a server's error frame that named a field.
     *
     * @param code the error's code
     * @param field the field the server named
     * @param message the server's message, kept as it is
     */
    public static ValidationException fromWire(ErrorCode code, String field, String message) {
        return new ValidationException(code, field, message, true);
    }

    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        String text = String.valueOf(value);
        // Keep messages bounded whatever the caller sent, and sendable: a message may reach a client in an error
        // frame, and a lone surrogate cannot be written as UTF-8.
        if (text.length() > 80) {
            int cut = Character.isHighSurrogate(text.charAt(76)) ? 76 : 77;
            text = text.substring(0, cut) + "...";
        }
        return '"' + io.ratehub.core.internal.Unicode.escapeLoneSurrogates(text) + '"';
    }

    /** The rejected field's name. */
    public String field() {
        return field;
    }

    /** The rejected value as text, or {@code null} when it was missing. */
    public String value() {
        return value;
    }
}
