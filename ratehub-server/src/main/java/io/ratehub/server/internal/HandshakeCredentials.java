package io.ratehub.server.internal;

import io.ratehub.core.ValidationException;
import io.ratehub.core.protocol.Credentials;
import java.util.List;
import java.util.Map;

/** Reads credentials from request headers: {@code Authorization: Bearer <token>} or {@code X-Api-Key: <key>}. */
public final class HandshakeCredentials {
    /** What a header held that could not be credentials (an empty or oversized secret). */
    public static final Object MALFORMED = new Object();

    private HandshakeCredentials() {
    }

    /**
     * The credentials in {@code headers} (names matched case-insensitively), {@code null} when there are none, or
     * {@link #MALFORMED}.
     */
    public static Object from(Map<String, List<String>> headers, String remoteAddress) {
        String authorization = header(headers, "Authorization");
        String apiKey = header(headers, "X-Api-Key");
        try {
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Credentials(Credentials.Scheme.BEARER, authorization.substring(7).trim(), remoteAddress);
            }
            if (apiKey != null) {
                return new Credentials(Credentials.Scheme.API_KEY, apiKey.trim(), remoteAddress);
            }
        } catch (ValidationException e) {
            return MALFORMED;
        }
        return null;
    }

    private static String header(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null
                    && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
