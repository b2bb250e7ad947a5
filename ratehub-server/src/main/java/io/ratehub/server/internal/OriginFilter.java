package io.ratehub.server.internal;

import io.ratehub.server.ServerOptions;
import java.io.IOException;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * Refuses a WebSocket upgrade from an origin outside {@link ServerOptions#allowedOrigins()} with a complete
 * {@code 403 Forbidden} (empty body, {@code Connection: close}) and closes the connection, before Tyrus sees it.
 * Tyrus's own refusal writes only a status line and leaves the socket open, so clients wait until they time out.
 */
public final class OriginFilter extends BaseFilter implements AddOn {
    private final ServerOptions options;

    /** @param options the allowed origins */
    public OriginFilter(ServerOptions options) {
        this.options = options;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        // Right after the HTTP codec, so requests arrive parsed and before Tyrus's upgrade filter.
        int codec = builder.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class);
        builder.add(codec + 1, this);
    }

    @Override
    @SuppressWarnings("rawtypes") // Grizzly's write completion handler is declared on the raw WriteResult
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        Object message = ctx.getMessage();
        if (options.allowedOrigins().isEmpty() || !(message instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        HttpHeader header = content.getHttpHeader();
        if (!(header instanceof HttpRequestPacket request) || !"websocket".equalsIgnoreCase(request.getUpgrade())
                || options.originAllowed(request.getHeader("Origin"))) {
            return ctx.getInvokeAction();
        }
        HttpResponsePacket response = request.getResponse();
        response.setStatus(403);
        response.setReasonPhrase("Forbidden");
        response.setContentLength(0);
        response.setHeader("Connection", "close");
        ctx.write(HttpContent.builder(response).last(true).build(), new EmptyCompletionHandler<WriteResult>() {
            @Override
            public void completed(WriteResult result) {
                ctx.getConnection().closeSilently();
            }

            @Override
            public void failed(Throwable error) {
                ctx.getConnection().closeSilently();
            }
        });
        return ctx.getStopAction();
    }
}
