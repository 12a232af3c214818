package dev.mailroot.server.console;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The console's static files, bundled in the jar ({@code dev/mailroot/server/console/}): served with an ETag, no login needed. */
final class Assets {
    private static final Map<String, String> TYPES = Map.of("mailroot.css", "text/css; charset=utf-8");
    private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

    void serve(HttpExchange ex, String name) throws IOException {
        String type = TYPES.get(name);
        if (type == null || !ex.getRequestMethod().equals("GET")) {
            Console.write(ex, 404, "text/plain; charset=utf-8", "404 no such asset\n");
            return;
        }
        byte[] bytes = loaded.computeIfAbsent(name, Assets::read);
        String etag = "\"" + etag(bytes) + "\"";
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
            ex.sendResponseHeaders(304, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] read(String name) {
        try (InputStream in = Assets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the console asset " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
