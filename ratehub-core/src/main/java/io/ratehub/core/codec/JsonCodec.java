package io.ratehub.core.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
    private static final int MAX_NUMBER_LENGTH = 64;
    /** Longer JSON numbers are parsed (cheaply) so that the range check can name the field; longer still: invalid. */
    private static final int MAX_PARSED_NUMBER_LENGTH = 10_000;

    private final ObjectMapper mapper;

    private JsonCodec(CurrencyCatalog catalog) {
        SimpleModule module = new SimpleModule("ratehub");
        module.addSerializer(BigDecimal.class, new PlainDecimalSerializer());
        module.addDeserializer(BigDecimal.class, new DecimalDeserializer());
        module.addSerializer(CurrencyPair.class, new PairSerializer());
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
                .maxStringLength(1 << 20)
                .maxNestingDepth(32)
                .build());
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
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof RateHubException r) {
                // A record's own validation: name the JSON path when the record named only its component.
                if (r instanceof ValidationException v && e instanceof JsonMappingException m) {
                    String path = path(m);
                    String field = path.isEmpty() ? v.field()
                            : path.equals(v.field()) || path.endsWith("." + v.field()) ? path // a field's own parser
                            : path + "." + v.field(); // a record's validation of one of its components
                    return new ValidationException(v.code(), field, v.value(), reason(v));
                }
                return r;
            }
            cause = cause.getCause();
        }
        String path = e instanceof JsonMappingException m ? path(m) : "";
        return new ValidationException(path.isEmpty() ? "json" : path, abbreviate(json),
                io.ratehub.core.internal.JsonProblems.describe(e)); // Jackson's own words name Java types
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
                return p.getDecimalValue(); // exact: read from the text, never through a double
            }
            if (t == JsonToken.VALUE_STRING) {
                String text = p.getText().trim();
                if (text.isEmpty() || text.length() > MAX_NUMBER_LENGTH) {
                    return (BigDecimal) ctxt.handleWeirdStringValue(BigDecimal.class, text,
                            "must be a decimal number of at most %d characters", MAX_NUMBER_LENGTH);
                }
                try {
                    return new BigDecimal(text);
                } catch (NumberFormatException e) {
                    return (BigDecimal) ctxt.handleWeirdStringValue(BigDecimal.class, text,
                            "must be a decimal number");
                }
            }
            return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
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
