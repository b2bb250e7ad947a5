package io.ratehub.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.ratehub.core.ValidationException;
import io.ratehub.core.audit.AuditEntry;
import io.ratehub.core.audit.AuditRecord;
import io.ratehub.core.audit.AuditVerification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit trail's line format: encodes an entry to its JSON line, computes the chained hash, parses a line back
 * and checks a sequence of raw lines. Every audit log implementation goes through here, so the same records
 * produce the same bytes and the same hashes whichever log stores them.
 *
 * <p>One entry is one UTF-8 line, fields in this fixed order:
 * <pre>{@code
 * {"seq":1,"time":"2026-11-21T10:00:00Z","actor":"alice","action":"override.set","store":"s1","pair":"USD/CAD",
 *  "before":{"k":"v"},"after":{"k":"v"},"reason":"...","hash":"<64 lower-case hex digits>"}\n
 * }</pre>
 * {@code store}, {@code pair} and {@code reason} may be {@code null}; {@code before} and {@code after} have their
 * keys sorted. {@code hash = hex(SHA-256(previous hash as ASCII hex || the line's bytes))}, the bytes running from
 * the line's first byte up to, not including, {@code ,"hash":"}.
 *
 * <p>Strings are escaped by hand rather than by a JSON library so that the bytes depend on this class alone and
 * not on a library version's escaping defaults. Checking works on the raw bytes of a line and never on a
 * re-encoding, so a file written by an older encoder verifies as long as its bytes are intact.
 *
 * <p>Stateless and thread-safe, except {@link ChainCheck}, which is meant for one thread.
 */
public final class AuditLines {
    /**
     * The longest line, '\n' included, that is written or read: 1 MiB. Bounds the memory a damaged file (a long
     * run of bytes without a newline) can make a reader allocate.
     */
    public static final int MAX_LINE_BYTES = 1 << 20;

    private static final byte[] SEQ_PREFIX = ascii("{\"seq\":");
    private static final byte[] HASH_MARKER = ascii(",\"hash\":\"");
    private static final int HASH_HEX_LENGTH = 64;
    /** {@code ,"hash":"} + 64 hex digits + {@code "}}: the fixed-length end of every line before '\n'. */
    private static final int HASH_SUFFIX_LENGTH = HASH_MARKER.length + HASH_HEX_LENGTH + 2;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private AuditLines() {
    }

    /**
     * A record encoded up to its sequence number: everything the log can do before it takes its lock.
     *
     * @param record the record
     * @param tail the bytes of the line after the {@code seq} value, up to the hash field
     */
    public record Prepared(AuditRecord record, byte[] tail) {
    }

    /**
     * An entry with its sequence number and hash, and its line.
     *
     * @param entry the entry
     * @param line the entry's bytes, '\n' included
     */
    public record Sealed(AuditEntry entry, byte[] line) {
    }

    /** Thrown when a line is not a well-formed audit entry; the message says what is wrong. */
    public static final class MalformedLineException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedLineException(String message) {
            super(message);
        }
    }

    /**
     * Encodes everything of {@code record} except the sequence number and the hash.
     *
     * @throws ValidationException when a {@code before}/{@code after} value is {@code null}, or the line would be
     *     longer than {@link #MAX_LINE_BYTES}
     */
    public static Prepared prepare(AuditRecord record) {
        Require.notNull("record", record);
        StringBuilder json = new StringBuilder(256);
        json.append(",\"time\":");
        string(json, record.time().toString());
        json.append(",\"actor\":");
        string(json, record.actor());
        json.append(",\"action\":");
        string(json, record.action());
        json.append(",\"store\":");
        string(json, record.storeId());
        json.append(",\"pair\":");
        string(json, record.pair());
        json.append(",\"before\":");
        object(json, "before", record.before());
        json.append(",\"after\":");
        object(json, "after", record.after());
        json.append(",\"reason\":");
        string(json, record.reason());
        byte[] tail = json.toString().getBytes(StandardCharsets.UTF_8);
        // At most 19 digits of seq, plus the '\n'.
        long longest = (long) SEQ_PREFIX.length + 19 + tail.length + HASH_SUFFIX_LENGTH + 1;
        if (longest > MAX_LINE_BYTES) {
            throw new ValidationException("record", record.action(),
                    "encodes to " + longest + " bytes, more than the " + MAX_LINE_BYTES + " an audit entry may hold");
        }
        return new Prepared(record, tail);
    }

    /** Gives a prepared record its sequence number and the hash that chains it to {@code previousHash}. */
    public static Sealed seal(long seq, Prepared prepared, String previousHash) {
        byte[] seqDigits = ascii(Long.toString(seq));
        byte[] tail = prepared.tail();
        int bodyLength = SEQ_PREFIX.length + seqDigits.length + tail.length;
        byte[] line = new byte[bodyLength + HASH_SUFFIX_LENGTH + 1];
        int at = put(line, 0, SEQ_PREFIX);
        at = put(line, at, seqDigits);
        at = put(line, at, tail);
        String hash = chainHash(previousHash, line, 0, bodyLength);
        at = put(line, at, HASH_MARKER);
        at = put(line, at, ascii(hash));
        line[at++] = '"';
        line[at++] = '}';
        line[at] = '\n';
        AuditRecord r = prepared.record();
        AuditEntry entry = new AuditEntry(seq, r.time(), r.actor(), r.action(), r.storeId(), r.pair(), r.before(),
                r.after(), r.reason(), hash);
        return new Sealed(entry, line);
    }

    /** {@code hex(SHA-256(previousHash as ASCII || bytes[offset, offset + length)))}. */
    public static String chainHash(String previousHash, byte[] bytes, int offset, int length) {
        MessageDigest sha256 = sha256();
        sha256.update(ascii(previousHash));
        sha256.update(bytes, offset, length);
        byte[] digest = sha256.digest();
        char[] hex = new char[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            hex[2 * i + 1] = HEX[digest[i] & 0xF];
        }
        return new String(hex);
    }

    /**
     * The length of the hashed part of a line: the bytes before {@code ,"hash":"}. Works on the raw bytes, so the
     * hash can be checked without trusting a parser to reproduce them.
     *
     * @param length the line's length without its '\n'
     * @throws MalformedLineException when the line does not end with the hash field
     */
    public static int hashedLength(byte[] line, int offset, int length) throws MalformedLineException {
        // The hash has a fixed length and is always last, so the last ,"hash":" sits at a fixed distance from the
        // end; a marker anywhere else cannot be the real one (inside a JSON string its quotes would be escaped).
        int marker = length - HASH_SUFFIX_LENGTH;
        if (marker < 1 || line[offset] != '{') {
            throw new MalformedLineException("not an audit entry: too short or not a JSON object");
        }
        if (!Arrays.equals(line, offset + marker, offset + marker + HASH_MARKER.length, HASH_MARKER, 0,
                HASH_MARKER.length)) {
            throw new MalformedLineException("the hash field is missing or not last");
        }
        int hexStart = offset + marker + HASH_MARKER.length;
        for (int i = hexStart; i < hexStart + HASH_HEX_LENGTH; i++) {
            byte b = line[i];
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                throw new MalformedLineException("the hash is not 64 lower-case hex digits");
            }
        }
        if (line[offset + length - 2] != '"' || line[offset + length - 1] != '}') {
            throw new MalformedLineException("the line does not end after the hash field");
        }
        return marker;
    }

    /**
     * Parses one line (without its '\n'). Strict: every field must be present once, with the right type, and no
     * other field is allowed; the hash field must be last.
     *
     * @throws MalformedLineException when the line is not a well-formed audit entry
     */
    public static AuditEntry parse(byte[] line, int offset, int length) throws MalformedLineException {
        hashedLength(line, offset, length);
        try (JsonParser p = JSON.createParser(line, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedLineException("not a JSON object");
            }
            Long seq = null;
            Instant time = null;
            String actor = null;
            String action = null;
            String store = null;
            String pair = null;
            String reason = null;
            String hash = null;
            Map<String, String> before = null;
            Map<String, String> after = null;
            int fields = 0;
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                fields++;
                switch (name) {
                    case "seq" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new MalformedLineException("seq is not an integer");
                        }
                        seq = p.getLongValue();
                        if (seq < 1) {
                            throw new MalformedLineException("seq " + seq + " is not positive");
                        }
                    }
                    case "time" -> time = instant(requiredText(p, value, name));
                    case "actor" -> actor = requiredText(p, value, name);
                    case "action" -> action = requiredText(p, value, name);
                    case "store" -> store = optionalText(p, value, name);
                    case "pair" -> pair = optionalText(p, value, name);
                    case "before" -> before = stringMap(p, value, name);
                    case "after" -> after = stringMap(p, value, name);
                    case "reason" -> reason = optionalText(p, value, name);
                    case "hash" -> hash = requiredText(p, value, name);
                    default -> throw new MalformedLineException("unknown field \"" + abbreviate(name) + '"');
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new MalformedLineException("not a JSON object");
            }
            if (p.nextToken() != null) {
                throw new MalformedLineException("text after the JSON object");
            }
            if (fields != 10 || seq == null || time == null || actor == null || action == null || before == null
                    || after == null || hash == null) {
                throw new MalformedLineException("a required field is missing");
            }
            return new AuditEntry(seq, time, actor, action, store, pair, before, after, reason, hash);
        } catch (IOException e) {
            // Jackson's parse errors are IOExceptions; the input is an in-memory array, so nothing else is.
            throw new MalformedLineException("not valid JSON: " + abbreviate(firstLine(e.getMessage())));
        }
    }

    private static String requiredText(JsonParser p, JsonToken value, String name) throws IOException,
            MalformedLineException {
        if (value != JsonToken.VALUE_STRING) {
            throw new MalformedLineException(name + " is not a string");
        }
        return p.getText();
    }

    private static String optionalText(JsonParser p, JsonToken value, String name) throws IOException,
            MalformedLineException {
        return value == JsonToken.VALUE_NULL ? null : requiredText(p, value, name);
    }

    private static Map<String, String> stringMap(JsonParser p, JsonToken value, String name) throws IOException,
            MalformedLineException {
        if (value != JsonToken.START_OBJECT) {
            throw new MalformedLineException(name + " is not an object");
        }
        Map<String, String> map = new HashMap<>();
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            map.put(key, requiredText(p, p.nextToken(), name + '.' + abbreviate(key)));
        }
        if (token != JsonToken.END_OBJECT) {
            throw new MalformedLineException(name + " is not an object");
        }
        return map;
    }

    private static Instant instant(String text) throws MalformedLineException {
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new MalformedLineException("time \"" + abbreviate(text) + "\" is not an ISO-8601 instant");
        }
    }

    /**
     * Checks raw lines in file order: sequence numbers 1, 2, 3... and every chained hash, optionally against an
     * anchor (a sequence number and hash recorded elsewhere, which is what detects removal of the newest entries).
     * Stops at the first problem. Not thread-safe: one instance per check.
     */
    public static final class ChainCheck {
        private final long anchorSeq;
        private final String anchorHash;
        private long expectedSeq = 1;
        private String previousHash = AuditEntry.GENESIS_HASH;
        private long line;
        private AuditVerification failure;
        private AuditEntry lastEntry;
        private long startSeq = 1;
        /** Receives each break when the check continues past breaks; {@code null} when it stops at the first. */
        private java.util.function.Consumer<AuditVerification> breaks;
        /** After a break, until a line re-anchors the chain. */
        private boolean resyncing;
        private long entriesHandedOver;

        /** A check of the chain alone. */
        public ChainCheck() {
            this(0, null);
        }

        /**
         * A check of the chain and of an anchor.
         *
         * @param anchorSeq the sequence number the anchor names, or 0 for none
         * @param anchorHash the hash the entry {@code anchorSeq} must have
         */
        public ChainCheck(long anchorSeq, String anchorHash) {
            this.anchorSeq = anchorSeq;
            this.anchorHash = anchorHash;
        }

        /**
         * A check of the chain alone that resumes after an entry already checked: the next line must hold
         * {@code expectedSeq} and chain to {@code previousHash}. Recovery only: a store that starts reading the log
         * at a known point (such as a checkpoint's) uses it. Line numbers in its reports count from the first line
         * it is given.
         *
         * @param expectedSeq the seq the first line given must hold, >= 1
         * @param previousHash the hash of entry {@code expectedSeq - 1}, {@link AuditEntry#GENESIS_HASH} for seq 1
         * @return a new check
         */
        public static ChainCheck resumingAt(long expectedSeq, String previousHash) {
            if (expectedSeq < 1) {
                throw new IllegalArgumentException("expectedSeq must be >= 1, was " + expectedSeq);
            }
            ChainCheck check = new ChainCheck();
            check.expectedSeq = expectedSeq;
            check.startSeq = expectedSeq;
            check.previousHash = java.util.Objects.requireNonNull(previousHash, "previousHash");
            return check;
        }

        /**
         * Makes this check continue past breaks instead of stopping at the first (recovery and verification only).
         * Each break goes to {@code sink}; the line(s) at the break are skipped (an edited line, a line that is not an
         * entry, a line whose seq is below the one expected) and the chain re-anchors on the next line that parses
         * with at least the expected seq, trusting that line's own stored hash (a line holding a higher seq than
         * expected, where entries were removed, is itself that anchor). {@link #result()} then reports the first
         * break, or success.
         *
         * @param sink receives each break as it is found
         * @return this check
         */
        public ChainCheck continuingPastBreaks(java.util.function.Consumer<AuditVerification> sink) {
            this.breaks = java.util.Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * The entry parsed from the last line that checked out, so that a reader need not parse it again;
         * {@code null} before the first.
         */
        public AuditEntry lastEntry() {
            return lastEntry;
        }

        /** Whether every line so far checked out. */
        public boolean ok() {
            return failure == null;
        }

        /**
         * Checks the next complete line.
         *
         * @param length the line's length without its '\n'
         * @return whether the line checked out; once a line fails, every later call returns {@code false}
         */
        public boolean accept(byte[] bytes, int offset, int length) {
            if (failure != null) {
                return false;
            }
            line++;
            AuditEntry entry;
            try {
                entry = parse(bytes, offset, length);
            } catch (MalformedLineException e) {
                if (resyncing) {
                    return false;
                }
                return fail(expectedSeq, "line " + line + " is not a valid audit entry: " + e.getMessage());
            }
            if (resyncing) {
                if (entry.seq() < expectedSeq) {
                    return false;
                }
                return anchor(entry);
            }
            // parse() checked that the line ends with the fixed-length hash field.
            int hashed = length - HASH_SUFFIX_LENGTH;
            if (entry.seq() > expectedSeq) {
                fail(expectedSeq, "line " + line + " holds seq " + entry.seq() + " where seq " + expectedSeq
                        + " was expected: entries removed or reordered");
                // Continuing past breaks: the entry itself is intact as far as can be told; the chain resumes on it.
                return resyncing && anchor(entry);
            }
            if (entry.seq() < expectedSeq) {
                return fail(expectedSeq, "line " + line + " holds seq " + entry.seq() + " where seq " + expectedSeq
                        + " was expected: entries duplicated or reordered");
            }
            if (!chainHash(previousHash, bytes, offset, hashed).equals(entry.hash())) {
                return fail(expectedSeq, "hash mismatch at seq " + expectedSeq + " (line " + line
                        + "): the entry or one before it was edited");
            }
            if (entry.seq() == anchorSeq && !entry.hash().equals(anchorHash)) {
                return fail(expectedSeq, "seq " + expectedSeq + " (line " + line + ") has hash " + entry.hash()
                        + " but the anchor says " + anchorHash + ": the log was rewritten");
            }
            previousHash = entry.hash();
            expectedSeq++;
            lastEntry = entry;
            entriesHandedOver++;
            return true;
        }

        private boolean anchor(AuditEntry entry) {
            resyncing = false;
            previousHash = entry.hash();
            expectedSeq = entry.seq() + 1;
            lastEntry = entry;
            entriesHandedOver++;
            return true;
        }

        /** Records a line that cannot be checked: too long, or the last line without its '\n'. */
        public void reject(String why) {
            if (resyncing) {
                line++;
                return;
            }
            if (failure == null) {
                line++;
                fail(expectedSeq, "line " + line + " is not a valid audit entry: " + why);
            }
        }

        /** The outcome; call after the last line. {@code entriesChecked} counts the entries that checked out. */
        public AuditVerification result() {
            if (failure != null) {
                return failure;
            }
            if (firstBreak != null) {
                return firstBreak;
            }
            long entries = expectedSeq - 1;
            if (anchorSeq > entries) {
                return AuditVerification.failed(entries, entries + 1, line + 1, "the log ends at seq " + entries
                        + " but the anchor names seq " + anchorSeq + ": the newest entries were removed");
            }
            return AuditVerification.ok(expectedSeq - startSeq);
        }

        private AuditVerification firstBreak;

        /** How many entries checked out or re-anchored the chain: those a scan hands over. */
        public long entriesHandedOver() {
            return entriesHandedOver;
        }

        private boolean fail(long seq, String problem) {
            AuditVerification v = AuditVerification.failed(breaks == null || firstBreak == null
                    ? expectedSeq - startSeq : entriesHandedOver, seq, line, problem);
            if (breaks == null) {
                failure = v;
            } else {
                if (firstBreak == null) {
                    firstBreak = v;
                }
                resyncing = true;
                breaks.accept(v);
            }
            return false;
        }
    }

    private static void string(StringBuilder json, String value) {
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(value, i)) {
                        // A lone surrogate has no UTF-8 form; escaping keeps it instead of turning it into '?'.
                        unicodeEscape(json, c);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    private static void unicodeEscape(StringBuilder json, char c) {
        json.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
    }

    private static void object(StringBuilder json, String field, Map<String, String> values) {
        // AuditRecord sorts its maps already; sorting again keeps the bytes deterministic whatever map arrives.
        json.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            if (e.getValue() == null) {
                throw new ValidationException(field + '.' + e.getKey(), null, "must not be null");
            }
            if (!first) {
                json.append(',');
            }
            first = false;
            string(json, e.getKey());
            json.append(':');
            string(json, e.getValue());
        }
        json.append('}');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static int put(byte[] target, int at, byte[] source) {
        System.arraycopy(source, 0, target, at, source.length);
        return at + source.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "parse error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
