import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.MetricFamily;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Probe (not part of the build): Micrometer 1.17.2 + its Prometheus registry behind a JDK
 * HttpServer on loopback, GET /metrics with content negotiation, then the scrape parsed by
 * (a) Hawkular's Java text parser, (b) the Prometheus protobuf classes shipped inside
 * prometheus-metrics-exposition-formats. Writes the text scrape to /tmp/mailroot-metrics.txt for
 * the Python parser and promtool (see metrics-parse.sh).
 *
 * java -cp "$(cat /tmp/cp-metrics.txt):$HAWKULAR" MetricsProbe.java
 */
public class MetricsProbe {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new DiskSpaceMetrics(new File("/tmp")).bindTo(registry);
        ms("registry + JVM binders", t0);

        // Micrometer names are dotted; the Prometheus registry turns them into snake case and adds
        // _total for counters and the base unit (_seconds, _bytes) for timers and summaries.
        for (String binding : new String[]{"spam-filter", "archive"}) {
            Counter.builder("mailroot.sink.calls").description("Sink calls by binding and outcome")
                    .tag("binding", binding).tag("outcome", "ok").register(registry).increment(binding.length());
            Counter.builder("mailroot.sink.calls").tag("binding", binding).tag("outcome", "failed").register(registry).increment();
            Timer latency = Timer.builder("mailroot.sink.duration").description("Time one sink call took")
                    .tag("binding", binding)
                    // explicit buckets (a Prometheus histogram with 10 buckets + +Inf), not client-side quantiles
                    .serviceLevelObjectives(ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(5000), ms(30000))
                    .register(registry);
            for (int i = 1; i <= 20; i++) {
                latency.record(Duration.ofMillis(i * 7L));
            }
        }
        Timer defaultHistogram = Timer.builder("mailroot.probe.default.histogram").publishPercentileHistogram().register(registry);
        defaultHistogram.record(Duration.ofMillis(3));
        AtomicInteger depth = new AtomicInteger(7);
        Gauge.builder("mailroot.queue.depth", depth, AtomicInteger::get).description("Messages in the outbound queue")
                .tag("queue", "outbound").register(registry);
        Gauge.builder("mailroot.binding.disabled", () -> 1).tag("binding", "archive").register(registry);
        DistributionSummary.builder("mailroot.smtp.message.size").baseUnit("bytes").tag("listener", "mx")
                .register(registry).record(12345);
        Counter.builder("mailroot.smtp.rejects").tag("listener", "mx").tag("code", "550").register(registry).increment(3);

        InetAddress loopback = InetAddress.getLoopbackAddress();
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, 0), 16);
        ExpositionFormats formats = ExpositionFormats.init();
        server.createContext("/metrics", ex -> serve(ex, registry, formats));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
        HttpClient client = HttpClient.newHttpClient();
        try {
            // 1. plain GET (curl, a browser): text 0.0.4
            HttpResponse<byte[]> text = get(client, url, null);
            String body = new String(text.body(), StandardCharsets.UTF_8);
            Files.writeString(Path.of("/tmp/mailroot-metrics.txt"), body);
            System.out.println("no Accept -> " + text.headers().firstValue("Content-Type").orElse("?") + ", " + text.body().length
                    + " bytes, " + body.lines().count() + " lines");
            body.lines().filter(l -> l.contains("mailroot_") && (l.startsWith("#") || l.contains("spam-filter") || l.contains("queue")
                    || l.contains("rejects") || l.contains("size"))).filter(l -> !l.contains("_bucket{") || l.contains("le=\"0.05\""))
                    .forEach(l -> System.out.println("   " + l));
            System.out.println("   default publishPercentileHistogram(): "
                    + body.lines().filter(l -> l.startsWith("mailroot_probe_default_histogram_seconds_bucket")).count() + " bucket lines");

            // 2. what Prometheus 2.x/3.x sends
            HttpResponse<byte[]> om = get(client, url, "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
            String omBody = new String(om.body(), StandardCharsets.UTF_8);
            System.out.println("Prometheus Accept -> " + om.headers().firstValue("Content-Type").orElse("?") + ", ends with '"
                    + omBody.strip().lines().reduce((a, b) -> b).orElse("") + "'");
            omBody.lines().filter(l -> l.startsWith("mailroot_sink_calls") && l.contains("spam-filter")).forEach(l -> System.out.println("   " + l));

            // 3. parse the text with Hawkular's Java parser
            long p0 = System.nanoTime();
            TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.body()));
            int families = 0;
            MetricFamily f;
            while ((f = parser.parse()) != null) {
                families++;
                if (f.getName().startsWith("mailroot_sink")) {
                    System.out.println("   hawkular: " + f.getName() + " " + f.getType() + " " + f.getMetrics().size() + " series, first "
                            + f.getMetrics().get(0).getLabels() + " " + describe(f.getMetrics().get(0)));
                }
            }
            ms("hawkular parsed " + families + " families", p0);
            try {
                TextPrometheusMetricDataParser om2 = new TextPrometheusMetricDataParser(new ByteArrayInputStream(om.body()));
                int n = 0;
                while (om2.parse() != null) {
                    n++;
                }
                System.out.println("   hawkular on the OpenMetrics body: " + n + " families (no exception)");
            } catch (Exception e) {
                System.out.println("   hawkular on the OpenMetrics body: " + e);
            }

            // 4. protobuf (what Prometheus asks for with native histograms), parsed by the generated classes
            HttpResponse<byte[]> pb = get(client, url, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
            System.out.println("protobuf Accept -> " + pb.headers().firstValue("Content-Type").orElse("?") + ", " + pb.body().length + " bytes");
            ByteArrayInputStream in = new ByteArrayInputStream(pb.body());
            int pbFamilies = 0;
            Metrics.MetricFamily mf;
            while ((mf = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                pbFamilies++;
                if (mf.getName().equals("mailroot_sink_duration_seconds")) {
                    Metrics.Metric m = mf.getMetric(0);
                    System.out.println("   protobuf: " + mf.getName() + " " + mf.getType() + " count=" + m.getHistogram().getSampleCount()
                            + " sum=" + m.getHistogram().getSampleSum() + " buckets=" + m.getHistogram().getBucketCount());
                }
            }
            System.out.println("   protobuf: " + pbFamilies + " families");

            // 5. scrape cost
            long s0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                get(client, url, null);
            }
            System.out.printf("200 scrapes over loopback: %.2f ms each%n", (System.nanoTime() - s0) / 200 / 1e6);
        } finally {
            server.stop(0);
        }
    }

    private static void serve(HttpExchange ex, PrometheusMeterRegistry registry, ExpositionFormats formats) throws java.io.IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ExpositionFormatWriter writer = formats.findWriter(ex.getRequestHeaders().getFirst("Accept"));
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            registry.scrape(buf, writer.getContentType());
            ex.getResponseHeaders().set("Content-Type", writer.getContentType());
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, buf.size());
            ex.getResponseBody().write(buf.toByteArray());
        }
    }

    private static HttpResponse<byte[]> get(HttpClient client, String url, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String describe(org.hawkular.agent.prometheus.types.Metric m) {
        if (m instanceof org.hawkular.agent.prometheus.types.Counter c) {
            return "value=" + c.getValue();
        }
        if (m instanceof org.hawkular.agent.prometheus.types.Histogram h) {
            return "count=" + h.getSampleCount() + " sum=" + h.getSampleSum() + " buckets=" + h.getBuckets().size();
        }
        return m.getClass().getSimpleName();
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static void ms(String what, long since) {
        System.out.printf("%s: %.0f ms%n", what, (System.nanoTime() - since) / 1e6);
    }
}
