package io.ratehub.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * Handles an application-defined request ({@code op: "request"}, for example a chat message) sent by a client.
 * Registered by name with the {@link ProtocolService}; the reply's {@code result} is the value it completes with,
 * encoded with the codec.
 *
 * <p>Called on the connection's I/O thread after authentication and authorization; must not block (return a
 * stage that completes later for slow work). Completing exceptionally with a
 * {@link io.ratehub.core.RateHubException} sends its code; any other failure is sent as {@code internal}.
 */
@FunctionalInterface
public interface AppRequestHandler {
    /**
     * @param principal who asks
     * @param body the request's {@code body} (a JSON value; {@code null} when absent)
     * @return the result to send back
     */
    CompletionStage<?> handle(Principal principal, JsonNode body);
}
