package dev.mailroot.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mailroot.server.plugins.PluginHost;
import dev.mailroot.sink.CommandResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin endpoint on 127.0.0.1 ({@code admin.port}): {@code GET /health} and
 * {@code POST /connectors/<plugin-id>/<command>?name=value} (for example
 * {@code POST /connectors/pop3-connector/retrieve?account=carol-isp}). Loopback only: whoever can
 * reach it can already read the server's files.
 */
public final class AdminEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminEndpoint.class);

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param port    the port on 127.0.0.1; 0 picks a free one
     * @param health  the body of {@code /health} (JSON)
     * @param plugins where connector commands go; null when the server runs without plugins
     */
    public AdminEndpoint(int port, Supplier<String> health, PluginHost plugins) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", ex -> {
            if (!ex.getRequestMethod().equals("GET")) {
                reply(ex, 405, "use GET\n");
                return;
            }
            reply(ex, 200, health.get());
        });
        server.createContext("/connectors/", ex -> connector(ex, plugins));
        server.start();
        log.info("MR1011 admin endpoint listening on 127.0.0.1:{}", port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void connector(HttpExchange ex, PluginHost plugins) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            reply(ex, 405, "use POST\n");
            return;
        }
        String[] parts = ex.getRequestURI().getPath().split("/");
        if (parts.length != 4 || parts[2].isEmpty() || parts[3].isEmpty()) {
            reply(ex, 404, "expected /connectors/<plugin-id>/<command>\n");
            return;
        }
        String pluginId = parts[2];
        String command = parts[3];
        Map<String, String> params = query(ex.getRequestURI().getRawQuery());
        try {
            var result = plugins == null ? java.util.Optional.<CommandResult>empty()
                    : plugins.command(pluginId, command, params);
            if (result.isEmpty()) {
                reply(ex, 404, "no running connector '" + pluginId + "' (is its plugin in plugins/ and loaded?)\n");
                return;
            }
            CommandResult r = result.get();
            int status = switch (r.outcome()) {
                case OK -> 200;
                case FAILED -> 500;
                case UNKNOWN_COMMAND -> 404;
            };
            reply(ex, status, r.report().endsWith("\n") ? r.report() : r.report() + "\n");
        } catch (Exception e) {
            log.error("MR1011 admin command {} {} failed: {}", pluginId, command, e.toString(), e);
            reply(ex, 500, "the command failed: " + e + "\n");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
