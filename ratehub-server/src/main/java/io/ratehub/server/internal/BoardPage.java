package io.ratehub.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The live rate board: a static page (HTML, CSS, JavaScript; no build step) that shows one store's rates over the
 * public wire protocol. Served under {@code /board/} by {@link HttpApi} when the server enables it. The files are
 * read from the class path once; the page learns the WebSocket path from a meta tag filled in here.
 *
 * <p>Immutable and thread-safe.
 */
public final class BoardPage {
    /** The path prefix the board is served under. */
    public static final String PREFIX = "/board";

    /** One file of the board. */
    record Asset(String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> assets;

    /** Loads the board's files, pointing the page at the WebSocket {@code path}. */
    public BoardPage(String webSocketPath) {
        String html = new String(load("index.html"), StandardCharsets.UTF_8)
                .replace("{{WS_PATH}}", escapeAttribute(webSocketPath));
        this.assets = Map.of(
                "/", new Asset("text/html", html.getBytes(StandardCharsets.UTF_8)),
                "/index.html", new Asset("text/html", html.getBytes(StandardCharsets.UTF_8)),
                "/board.js", new Asset("text/javascript", load("board.js")),
                "/board.css", new Asset("text/css", load("board.css")));
    }

    /** The file at {@code rest} (the path after {@link #PREFIX}, starting with '/'), or null when there is none. */
    Asset asset(String rest) {
        return assets.get(rest);
    }

    private static byte[] load(String name) {
        try (InputStream in = BoardPage.class.getResourceAsStream("/io/ratehub/server/board/" + name)) {
            if (in == null) {
                throw new IllegalStateException("board file missing from the class path: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escapeAttribute(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
