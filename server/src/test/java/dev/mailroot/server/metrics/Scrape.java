package dev.mailroot.server.metrics;

import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code GET /metrics} as a scraper does it, and the answer parsed by a real text-format parser (Hawkular's). */
public final class Scrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final HttpResponse<String> response;
    public final Map<String, MetricFamily> families = new LinkedHashMap<>();

    private Scrape(HttpResponse<String> response) {
        this.response = response;
    }

    /** Scrapes the admin endpoint on {@code port} with {@code token} (null: none) and {@code accept} (null: none). */
    public static Scrape of(int port, String token, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        Scrape s = new Scrape(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
        if (s.response.statusCode() == 200) {
            TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
                    new ByteArrayInputStream(s.response.body().getBytes(StandardCharsets.UTF_8)));
            for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
                s.families.put(f.getName(), f);
            }
        }
        return s;
    }

    public static String token(Path tokenFile) throws IOException {
        return Files.readString(tokenFile).strip();
    }

    /** The series of {@code family} whose labels include {@code labels} (name, value, ...). */
    public Optional<Metric> series(String family, String... labels) {
        MetricFamily f = families.get(family);
        if (f == null) {
            return Optional.empty();
        }
        return f.getMetrics().stream().filter(m -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(m.getLabels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).findFirst();
    }

    /** The value of a counter or gauge series; NaN if there is none. */
    public double value(String family, String... labels) {
        return series(family, labels).map(m -> m instanceof Counter c ? c.getValue() : m instanceof Gauge g ? g.getValue()
                : Double.NaN).orElse(Double.NaN);
    }

    public Histogram histogram(String family, String... labels) {
        return (Histogram) series(family, labels).orElseThrow(() -> new AssertionError("no series " + family));
    }
}
