package io.ratehub.core.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.ratehub.core.RateHubException;
import io.ratehub.core.ValidationException;
import io.ratehub.core.event.RateEvent;
import io.ratehub.core.model.CurrencyCatalog;
import io.ratehub.core.model.CurrencyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The JSON form of ratehub's model records and events, shared by the server, the client and the testkit.
 *
 * <p>Rules of the form: every price and amount is a JSON <b>string</b> holding a plain decimal
 * ({@code "1.36125"}, never a float and never an exponent), so that no rate is ever rounded by a float; on input a
 * JSON number is also accepted and read exactly. Pairs are {@code "USD/CAD"}; instants are ISO-8601 UTC strings;
 * durations ISO-8601 ({@code "PT5M"}); enums by name. An event is an object whose {@code "type"} is its wire name
 * ({@link RateEvent#type()}) followed by the record's components.
 *
 * <p>Decoding never trusts its input: malformed JSON, a wrong type, a missing or invalid field each fail with a
 * {@link ValidationException} whose {@link ValidationException#field() field} is the JSON path of the problem.
 *
 * <p>Immutable and thread-safe; create one and share it.
 */
public final class JsonCodec {
    /** The most characters a decimal on input may have, as a string or as a JSON number. */
    public static final int MAX_NUMBER_LENGTH = 64;
    /** The deepest nesting of arrays and objects a message may have. */
    public static final int MAX_NESTING_DEPTH = 32;
    /** Longer JSON numbers are parsed (cheaply) so that the range check can name the field; longer still: invalid. */
    private static final int MAX_PARSED_NUMBER_LENGTH = 10_000;
    private static final int MAX_STRING_LENGTH = 1 << 20;

    private final ObjectMapper mapper;

    private JsonCodec(CurrencyCatalog catalog) {
        SimpleModule module = new SimpleModule("ratehub");
        module.addSerializer(BigDecimal.class, new PlainDecimalSerializer());
        module.addDeserializer(BigDecimal.class, new DecimalDeserializer());
        module.addSerializer(CurrencyPair.class, new PairSerializer());
        // Durations and instants only as ISO-8601 text, within a range no computation overflows: as JSON numbers
        // (seconds, epoch seconds) "ttl": 1.5 made a 1.5-second lock, and year 1000000000 overflowed a timer.
        module.addDeserializer(java.time.Duration.class, new TextDeserializer<>(java.time.Duration.class,
                "an ISO-8601 duration such as \"PT5M\", of at most 3650 days", text -> {
                    java.time.Duration d = java.time.Duration.parse(text);
                    return d.abs().compareTo(MAX_DURATION) <= 0 ? d : null;
                }));
        module.addDeserializer(java.time.Instant.class, new TextDeserializer<>(java.time.Instant.class,
                "an ISO-8601 UTC instant such as \"2026-11-21T10:15:30Z\", in the years 1970 to 9999", text -> {
                    java.time.Instant i = java.time.Instant.parse(text);
                    return i.isBefore(java.time.Instant.EPOCH) || i.isAfter(MAX_INSTANT) ? null : i;
                }));
        module.setDeserializerModifier(new StrictEnums());
        module.addDeserializer(CurrencyPair.class, new PairDeserializer(catalog));
        JsonMapper m = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(module)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // Never through a double: numbers read into trees stay exact decimals, written back plain.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNumberLength(MAX_PARSED_NUMBER_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .build());
        // A fraction is never silently cut to an integer ("seq": 1.5).
        m.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Integer)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        // A number, boolean or float is never silently taken for a text field (an id, a reason).
        m.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Textual)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        for (Map.Entry<String, Class<? extends RateEvent>> e : EventTypes.BY_NAME.entrySet()) {
            m.registerSubtypes(new NamedType(e.getValue(), e.getKey()));
        }
        m.addMixIn(RateEvent.class, EventTypes.Mixin.class);
        this.mapper = m;
    }

    /** A codec that parses pairs against {@link CurrencyCatalog#standard()}. */
    public static JsonCodec create() {
        return new JsonCodec(CurrencyCatalog.standard());
    }

    /** A codec that parses pairs against {@code catalog}. */
    public static JsonCodec create(CurrencyCatalog catalog) {
        return new JsonCodec(catalog);
    }

    /** The JSON text of an event, with its wire name in {@code "type"}. */
    public String encodeEvent(RateEvent event) {
        return encode(event);
    }

    /**
     * Reads an event written by {@link #encodeEvent}.
     *
     * @throws ValidationException naming the JSON path of the first problem
     */
    public RateEvent decodeEvent(String json) {
        return decode(json, RateEvent.class);
    }

    /** The JSON text of a model record (or any value made of them, such as a list). */
    public String encode(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a model record of {@code type}.
     *
     * @throws ValidationException naming the JSON path of the first problem
     */
    public <T> T decode(String json, Class<T> type) {
        if (json == null) {
            throw new ValidationException("json", null, "is required");
        }
        try {
            T value = mapper.readValue(json, type);
            if (value == null) {
                throw new ValidationException("json", "null", "must be a JSON object");
            }
            return value;
        } catch (JacksonException e) {
            throw translate(e, json);
        }
    }

    /**
     * Reads JSON text into a tree, for protocol code that dispatches on a field before binding.
     *
     * @throws ValidationException when the text is not JSON
     */
    public JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JacksonException e) {
            throw translate(e, json);
        }
    }

    /**
     * Reads a message from an untrusted client into a tree, applying the input rules of docs/PROTOCOL.md to every
     * value before any code sees it: a number is written plainly (no exponent) in at most
     * {@value #MAX_NUMBER_LENGTH} characters, and every text (string or field name) is well-formed Unicode (no
     * lone UTF-16 surrogate). A value that breaks a rule does not stop the parse: the tree is returned with the
     * first such {@linkplain Input#problem() problem}, so that the caller can still answer with the message's id.
     *
     * @throws ValidationException with code {@link io.ratehub.core.ErrorCode#INVALID_JSON} when the text is not
     *     JSON (or breaks a structural limit: nesting deeper than {@value #MAX_NESTING_DEPTH}, a string over 1 MiB)
     */
    public Input readInput(String json) {
        try (CheckedParser p = new CheckedParser(mapper.getFactory().createParser(json))) {
            JsonNode tree = mapper.readTree(p);
            return new Input(tree, p.problem);
        } catch (RuntimeException e) { // never expected from a parser; but a client's bytes must not escape as one
            throw new ValidationException(io.ratehub.core.ErrorCode.INVALID_JSON, "json", abbreviate(json),
                    "cannot be read");
        } catch (JacksonException e) {
            RuntimeException r = translate(e, json);
            if (r instanceof ValidationException v && v.code() == io.ratehub.core.ErrorCode.INVALID_ARGUMENT) {
                throw new ValidationException(io.ratehub.core.ErrorCode.INVALID_JSON, v.field(), v.value(),
                        reason(v));
            }
            throw r;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: the text is in memory
        }
    }

    /**
     * A client message read by {@link #readInput}: its tree ({@code null} for empty input) and the first input
     * rule one of its values broke, or {@code null}.
     *
     * @param tree the message as read
     * @param problem the first refused value, naming its field (its JSON path), or {@code null}
     */
    public record Input(JsonNode tree, ValidationException problem) {
    }

    /** Binds a tree to a model record of {@code type}; see {@link #decode(String, Class)}. */
    public <T> T treeToValue(JsonNode node, Class<T> type) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JacksonException e) {
            throw translate(e, String.valueOf(node));
        }
    }

    /** A new empty JSON object, for protocol code that writes frames. */
    public ObjectNode newObject() {
        return mapper.createObjectNode();
    }

    /** Text of a tree, with decimals written exactly as read. */
    public String encodeTree(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode a JSON tree", e);
        }
    }

    /** The tree of a value; see {@link #encode(Object)}. */
    public JsonNode valueToTree(Object value) {
        return mapper.valueToTree(value);
    }

    private static RuntimeException translate(JacksonException e, String json) {
        String path = e instanceof JsonMappingException m ? path(m) : "";
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof RateHubException r) {
                // A record's own validation: name the JSON path when the record named only its component.
                if (r instanceof ValidationException v && e instanceof JsonMappingException) {
                    String field = v.field() == null || v.field().isEmpty() ? (path.isEmpty() ? "json" : path)
                            : path.isEmpty() ? v.field()
                            : path.equals(v.field()) || path.endsWith("." + v.field()) ? path // a field's own parser
                            : path + "." + v.field(); // a record's validation of one of its components
                    return new ValidationException(v.code(), field, v.value(), reason(v));
                }
                return r;
            }
            cause = cause.getCause();
        }
        return new ValidationException(path.isEmpty() ? "json" : path, abbreviate(json), describe(e));
    }

    /**
     * What was wrong, in the protocol's words: never a library's own message, which names its classes and
     * settings (a client has no use for {@code java.math.BigDecimal} or {@code StreamReadConstraints}).
     */
    private static String describe(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.contains("nesting depth")) {
                return "nests arrays and objects deeper than " + MAX_NESTING_DEPTH + " levels";
            }
            if (m.contains("Number value length")) {
                return "holds a number longer than " + MAX_PARSED_NUMBER_LENGTH + " characters";
            }
            if (m.contains("String value length") || m.contains("Name length")) {
                return "holds a string longer than " + MAX_STRING_LENGTH + " characters";
            }
            return "is larger than the input limits allow";
        }
        if (e instanceof UnrecognizedPropertyException u) {
            java.util.Collection<Object> known = u.getKnownPropertyIds();
            return "is not a known field" + (known == null || known.isEmpty() ? ""
                    : " (known: " + String.join(", ", known.stream().map(String::valueOf).sorted().toList()) + ")");
        }
        if (e instanceof InvalidFormatException f) {
            return "is not " + kind(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            String text = String.valueOf(m.getOriginalMessage());
            if (text.startsWith("Duplicate field '")) {
                int end = text.indexOf('\'', 17);
                return "appears twice" + (end > 17 ? " (" + text.substring(17, end) + ")" : "");
            }
            return m.getTargetType() == null || JsonNode.class.isAssignableFrom(m.getTargetType())
                    ? "has the wrong JSON type" : "must be " + kind(m.getTargetType());
        }
        if (e instanceof StreamReadException r) {
            String what = String.valueOf(r.getOriginalMessage());
            int cut = what.indexOf(" (start marker");
            if (cut >= 0) {
                what = what.substring(0, cut);
            }
            if (what.indexOf('`') >= 0 || what.contains("Source:")) {
                what = "malformed";
            }
            if (what.length() > 160) {
                what = what.substring(0, 160) + "...";
            }
            com.fasterxml.jackson.core.JsonLocation at = r.getLocation();
            return "is not valid JSON" + (at == null || at.getColumnNr() < 0 ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + what;
        }
        return "is not valid";
    }

    /** The kind of JSON value a field of type {@code t} takes, as PROTOCOL.md words it. */
    private static String kind(Class<?> t) {
        if (t == null) {
            return "of the right type";
        }
        if (t == BigDecimal.class) {
            return "a plain decimal such as \"1.25\" (a string, or a JSON number without exponent)";
        }
        if (CharSequence.class.isAssignableFrom(t)) {
            return "a string";
        }
        if (t == Long.class || t == long.class || t == Integer.class || t == int.class) {
            return "an integer";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == java.time.Duration.class) {
            return "an ISO-8601 duration such as \"PT5M\"";
        }
        if (t == java.time.Instant.class) {
            return "an ISO-8601 UTC instant such as \"2026-11-21T10:15:30Z\"";
        }
        if (t == CurrencyPair.class) {
            return "a currency pair such as \"USD/CAD\"";
        }
        if (t.isEnum()) {
            StringBuilder sb = new StringBuilder("one of ");
            Object[] values = t.getEnumConstants();
            for (int i = 0; i < values.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(((Enum<?>) values[i]).name());
            }
            return sb.toString();
        }
        if (JsonNode.class.isAssignableFrom(t)) {
            return "JSON";
        }
        if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String reason(ValidationException v) {
        String msg = v.getMessage();
        int colon = msg.indexOf(": ");
        int was = msg.lastIndexOf(", was ");
        return colon >= 0 && was > colon ? msg.substring(colon + 2, was) : msg;
    }

    private static String abbreviate(String json) {
        return json.length() > 60 ? json.substring(0, 60) + "..." : json;
    }

    private static String path(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static final class PlainDecimalSerializer extends StdSerializer<BigDecimal> {
        private static final long serialVersionUID = 1L;

        PlainDecimalSerializer() {
            super(BigDecimal.class);
        }

        @Override
        public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toPlainString());
        }
    }

    private static final class DecimalDeserializer extends StdDeserializer<BigDecimal> {
        private static final long serialVersionUID = 1L;

        DecimalDeserializer() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                BigDecimal v = p.getDecimalValue(); // exact: read from the text, never through a double
                // Bounded before anyone computes with it: 1e-400000000 would cost minutes in a division.
                if (v.scale() < 0 || v.scale() > MAX_NUMBER_LENGTH || v.precision() > MAX_NUMBER_LENGTH) {
                    throw refused(p, v.toString(), PLAIN);
                }
                return v;
            }
            if (t == JsonToken.VALUE_STRING) {
                String text = p.getText().trim();
                if (text.isEmpty() || text.length() > MAX_NUMBER_LENGTH || !isPlainDecimal(text)) {
                    throw refused(p, text, PLAIN);
                }
                return new BigDecimal(text);
            }
            return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
        }
    }

    private static final String PLAIN = "must be a plain decimal such as \"1.25\" of at most " + MAX_NUMBER_LENGTH
            + " characters, without exponent";

    /** A value refused by one of our own parsers; {@link #translate} names it by its JSON path. */
    private static JsonMappingException refused(JsonParser p, String value, String reason) {
        return JsonMappingException.from(p, reason, new ValidationException("", value, reason));
    }

    /** {@code [+-]digits[.digits]}, also {@code 1.} and {@code .5}: what BigDecimal reads, less exponents. */
    static boolean isPlainDecimal(String s) {
        int i = s.charAt(0) == '+' || s.charAt(0) == '-' ? 1 : 0;
        int digits = 0;
        boolean point = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                return false;
            }
        }
        return digits > 0;
    }

    /**
     * A parser that checks the input rules on every token and keeps the first value that breaks one, without
     * stopping (so the message's id can still be read): numbers plain and short, texts well-formed Unicode.
     */
    private static final class CheckedParser extends JsonParserDelegate {
        ValidationException problem;
        private boolean refusedNumber; // the current token: a number refused, whose value nobody may compute

        CheckedParser(JsonParser p) {
            super(p);
        }

        // A refused number reads as zero: "1E-2147483648" must never be expanded (the tree is dropped anyway).
        @Override
        public BigDecimal getDecimalValue() throws IOException {
            return refusedNumber ? BigDecimal.ZERO : delegate.getDecimalValue();
        }

        @Override
        public java.math.BigInteger getBigIntegerValue() throws IOException {
            return refusedNumber ? java.math.BigInteger.ZERO : delegate.getBigIntegerValue();
        }

        @Override
        public double getDoubleValue() throws IOException {
            return refusedNumber ? 0 : delegate.getDoubleValue();
        }

        @Override
        public float getFloatValue() throws IOException {
            return refusedNumber ? 0 : delegate.getFloatValue();
        }

        @Override
        public int getIntValue() throws IOException {
            return refusedNumber ? 0 : delegate.getIntValue();
        }

        @Override
        public long getLongValue() throws IOException {
            return refusedNumber ? 0 : delegate.getLongValue();
        }

        @Override
        public Number getNumberValue() throws IOException {
            return refusedNumber ? Integer.valueOf(0) : delegate.getNumberValue();
        }

        @Override
        public Number getNumberValueExact() throws IOException {
            return refusedNumber ? Integer.valueOf(0) : delegate.getNumberValueExact();
        }

        @Override
        public Object getNumberValueDeferred() throws IOException {
            return refusedNumber ? Integer.valueOf(0) : delegate.getNumberValueDeferred();
        }

        @Override
        public NumberType getNumberType() throws IOException {
            return refusedNumber ? NumberType.INT : delegate.getNumberType();
        }

        @Override
        public JsonToken nextToken() throws IOException {
            return check(delegate.nextToken());
        }

        @Override
        public JsonToken nextValue() throws IOException {
            return check(delegate.nextValue());
        }

        private JsonToken check(JsonToken t) throws IOException {
            refusedNumber = false;
            if (t == null) {
                return t;
            }
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                String text = delegate.getText();
                if (text.length() > MAX_NUMBER_LENGTH || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
                    refusedNumber = true;
                    if (problem == null) {
                        problem = new ValidationException(fieldPath(), text, PLAIN);
                    }
                }
                return t;
            }
            if (problem != null) {
                return t;
            }
            if (t == JsonToken.VALUE_STRING) {
                wellFormed(delegate.getText());
            }
            String name = delegate.currentName(); // also when nextValue() stepped over the name
            if (problem == null && name != null) {
                wellFormed(name);
            }
            return t;
        }

        private void wellFormed(String text) {
            int at = io.ratehub.core.internal.Unicode.loneSurrogate(text);
            if (at >= 0) {
                problem = new ValidationException(fieldPath(), text, String.format(
                        "must be well-formed Unicode (a lone surrogate \\u%04x at index %d)", (int) text.charAt(at), at));
            }
        }

        /** The JSON path of the current token: {@code maxRate}, {@code from.seq}, {@code body.items[2]}. */
        private String fieldPath() {
            java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
            for (JsonStreamContext c = delegate.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inObject()) {
                    parts.push(c.getCurrentName() == null ? "?" : c.getCurrentName());
                } else if (c.inArray()) {
                    parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
                }
            }
            StringBuilder sb = new StringBuilder();
            for (String part : parts) {
                if (sb.length() > 0 && !part.startsWith("[")) {
                    sb.append('.');
                }
                sb.append(part);
            }
            return sb.length() == 0 ? "json" : sb.toString();
        }
    }

    private static final java.time.Duration MAX_DURATION = java.time.Duration.ofDays(3650);
    private static final java.time.Instant MAX_INSTANT = java.time.Instant.parse("9999-12-31T23:59:59.999999999Z");

    /** A value read from a JSON string only, by {@code parse}; null or an exception from it refuses the text. */
    private static final class TextDeserializer<T> extends StdDeserializer<T> {
        private static final long serialVersionUID = 1L;
        private final String expected;
        private final transient java.util.function.Function<String, T> parse;

        TextDeserializer(Class<T> type, String expected, java.util.function.Function<String, T> parse) {
            super(type);
            this.expected = expected;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw refused(p, p.getText(), "must be " + expected);
            }
            String text = p.getText();
            T value;
            try {
                value = text.length() > MAX_NUMBER_LENGTH ? null : parse.apply(text.trim());
            } catch (RuntimeException e) {
                value = null;
            }
            if (value == null) {
                throw refused(p, text, "must be " + expected);
            }
            return value;
        }
    }

    /** Enums by their exact names: Jackson's own reader also takes "SELL\u0000" (it trims) and ordinals. */
    private static final class StrictEnums extends com.fasterxml.jackson.databind.deser.BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public com.fasterxml.jackson.databind.JsonDeserializer<?> modifyEnumDeserializer(
                com.fasterxml.jackson.databind.DeserializationConfig config, com.fasterxml.jackson.databind.JavaType type,
                com.fasterxml.jackson.databind.BeanDescription beanDesc,
                com.fasterxml.jackson.databind.JsonDeserializer<?> deserializer) {
            Class<?> raw = type.getRawClass();
            if (!raw.getPackageName().startsWith("io.ratehub.")) {
                return deserializer;
            }
            return new StdDeserializer<Object>(raw) {
                private static final long serialVersionUID = 1L;

                @Override
                public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    String text = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                    for (Object c : raw.getEnumConstants()) {
                        if (((Enum<?>) c).name().equals(text)) {
                            return c;
                        }
                    }
                    throw refused(p, text == null ? p.getText() : text, "must be " + kind(raw));
                }
            };
        }
    }

    private static final class PairSerializer extends StdSerializer<CurrencyPair> {
        private static final long serialVersionUID = 1L;

        PairSerializer() {
            super(CurrencyPair.class);
        }

        @Override
        public void serialize(CurrencyPair value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class PairDeserializer extends StdDeserializer<CurrencyPair> {
        private static final long serialVersionUID = 1L;
        private final transient CurrencyCatalog catalog;

        PairDeserializer(CurrencyCatalog catalog) {
            super(CurrencyPair.class);
            this.catalog = catalog;
        }

        @Override
        public CurrencyPair deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (CurrencyPair) ctxt.handleUnexpectedToken(CurrencyPair.class, p);
            }
            try {
                return catalog.parse(p.getText());
            } catch (ValidationException e) {
                throw JsonMappingException.from(p, e.getMessage(), e);
            }
        }
    }
}
