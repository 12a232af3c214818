package dev.mailroot.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import dev.mailroot.server.admin.AdminEndpoint;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * {@code GET /metrics} on the admin endpoint (which has checked the token): the registry in the
 * format the client's {@code Accept} asks for — Prometheus text 0.0.4 by default, OpenMetrics 1.0
 * when asked (Prometheus asks for it), or the protobuf format.
 */
public final class MetricsRoute implements AdminEndpoint.Route {
    private final ServerMetrics metrics;
    private final ExpositionFormats formats = ExpositionFormats.init();

    public MetricsRoute(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange ex, Map<String, String> query) throws IOException {
        if (metrics.prometheus() == null) {
            AdminEndpoint.reply(ex, 404, "404 metrics are off\n");
            return;
        }
        ExpositionFormatWriter writer = formats.findWriter(ex.getRequestHeaders().getFirst("Accept"));
        String type = writer.getContentType();
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        metrics.scrape(body, type);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, body.size());
        try (OutputStream out = ex.getResponseBody()) {
            body.writeTo(out);
        }
    }
}
