package dev.mailroot.server.metrics;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.TestSinks;
import dev.mailroot.sink.SinkStatus;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real server takes mail by SMTP and pickup through three sinks (one fine, one throwing, one
 * overrunning its time limit); its {@code GET /metrics} is scraped as Prometheus does and parsed by
 * a real text-format parser, and the figures a user would check are there, per label.
 */
class MetricsEndpointTest {
    @TempDir
    static Path home;
    private static TestServer server;
    private static final CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void mailThroughTheServer() throws Exception {
        server = TestServer.start(home, "admin: {port: 0}\npickup: {settleMillis: 100, rescanSeconds: 1}\n", TestSinks.chain(
                TestSinks.bound("broken", 1, (s, c) -> {
                    throw new IllegalStateException("the spam engine is down");
                }),
                TestSinks.bound("slow", 2, Map.of("timeoutMs", "150"), (s, c) -> {
                    release.await();
                    return SinkStatus.RUN_NEXT_SINK;
                }),
                TestSinks.bound("archive", 3, (s, c) -> SinkStatus.RUN_NEXT_SINK)));
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.example");
            for (int i = 0; i < 2; i++) {
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: " + i + "\r\n\r\nhello\r\n"))
                        .startsWith("250");
            }
            smtp.send("MAIL FROM:<a@example.org>");
            assertThat(smtp.send("RCPT TO:<someone@elsewhere.example>")).startsWith("550");
            smtp.send("RSET");
            smtp.send("QUIT");
        }
        Path tmp = home.resolve("drop.tmp");
        Files.writeString(tmp, "From: c@example.org\r\nTo: carol@localhost\r\nSubject: picked\r\n\r\nhi\r\n");
        Files.move(tmp, server.home().pickup().resolve("drop.eml"));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.newMail("bob").size() == 2 && server.newMail("carol").size() == 1);
    }

    @AfterAll
    static void stop() {
        release.countDown();
        server.close();
    }

    private static Scrape scrape(String accept) throws Exception {
        return Scrape.of(server.server().adminPort(), Scrape.token(server.home().adminTokenFile()), accept);
    }

    @Test
    void metricsNeedTheAdminToken() throws Exception {
        Scrape none = Scrape.of(server.server().adminPort(), null, null);
        assertThat(none.response.statusCode()).isEqualTo(401);
        assertThat(none.response.body()).doesNotContain("mailroot_");
        Scrape wrong = Scrape.of(server.server().adminPort(), "A".repeat(43), null);
        assertThat(wrong.response.statusCode()).isEqualTo(401);
    }

    @Test
    void sinkCallsAreCountedPerBindingAndOutcomeWithALatencyHistogram() throws Exception {
        // every message (two by SMTP, one by pickup) passed every binding once: the counts are exact
        Scrape s = await().atMost(Duration.ofSeconds(10)).until(() -> scrape(null),
                x -> x.value("mailroot_sink_calls_total", "binding", "archive", "outcome", "ok") == 3);
        assertThat(s.response.statusCode()).isEqualTo(200);
        assertThat(s.value("mailroot_sink_calls_total", "binding", "broken", "event", "OnSubmission", "outcome", "failed")).isEqualTo(3);
        assertThat(s.value("mailroot_sink_calls_total", "binding", "slow", "outcome", "timeout")).isEqualTo(3);
        assertThat(s.series("mailroot_sink_calls_total", "binding", "archive", "outcome", "failed")).isEmpty();

        Histogram slow = s.histogram("mailroot_sink_duration_seconds", "binding", "slow", "event", "OnSubmission");
        assertThat(slow.getSampleCount()).isEqualTo(3);
        assertThat(slow.getSampleSum()).isGreaterThanOrEqualTo(0.45); // three calls of at least 150 ms
        // the explicit buckets, not Micrometer's 69: 5 ms ... 30 s and +Inf
        assertThat(slow.getBuckets()).hasSize(11);
        assertThat(slow.getBuckets().stream().filter(b -> b.getUpperBound() == 0.1).findFirst().orElseThrow().getCumulativeCount())
                .isZero();
        assertThat(slow.getBuckets().stream().filter(b -> b.getUpperBound() == 5.0).findFirst().orElseThrow().getCumulativeCount())
                .isEqualTo(3);

        // and what the console's bindings page shows
        Map<String, History.BindingFigures> figures = server.server().history().bindings();
        assertThat(figures.get("broken").failures()).isEqualTo(3);
        assertThat(figures.get("slow").timeouts()).isEqualTo(3);
        // every call waited out its 150 ms limit: the estimate lies in a bucket above that (how far
        // above depends on the machine's load, so no upper bound but the histogram's)
        assertThat(figures.get("slow").p95Millis()).isBetween(150.0, 30_000.0);
        assertThat(figures.get("slow").meanMillis()).isGreaterThanOrEqualTo(150.0);
        assertThat(figures.get("archive").calls()).isEqualTo(3);
    }

    @Test
    void intakeAndDeliveryAreCounted() throws Exception {
        Scrape s = await().atMost(Duration.ofSeconds(10)).until(() -> scrape(null),
                x -> x.value("mailroot_local_deliveries_total", "result", "delivered") == 3);
        assertThat(s.value("mailroot_smtp_messages_total", "listener", "mx")).isEqualTo(2);
        assertThat(s.value("mailroot_smtp_received_bytes_total", "listener", "mx")).isGreaterThan(2 * 20);
        assertThat(s.value("mailroot_smtp_connections_total", "listener", "mx")).isEqualTo(1);
        assertThat(s.value("mailroot_smtp_rejects_total", "listener", "mx", "code", "550")).isEqualTo(1);
        assertThat(s.value("mailroot_pickup_files_total", "result", "spooled")).isEqualTo(1);
        assertThat(s.value("mailroot_local_deliveries_total", "result", "badmail")).isZero();
        assertThat(s.value("mailroot_spool_messages", "stage", "submitted")).isZero();
        assertThat(s.value("mailroot_outbound_recipients", "state", "queued")).isZero();
        assertThat(s.value("mailroot_folder_files", "folder", "badmail")).isZero();
        assertThat(s.value("mailroot_disk_usable_bytes")).isGreaterThan(0);
        assertThat(s.value("jvm_threads_live_threads")).isGreaterThan(0);
    }

    @Test
    void everyMailrootMetricHasHelpText() throws Exception {
        Scrape s = scrape(null);
        List<MetricFamily> ours = s.families.values().stream().filter(f -> f.getName().startsWith("mailroot_")).toList();
        assertThat(ours).hasSizeGreaterThan(15);
        assertThat(ours).allSatisfy(f -> assertThat(f.getHelp()).as(f.getName()).isNotBlank());
    }

    @Test
    void theFormatFollowsTheAcceptHeader() throws Exception {
        Scrape text = scrape(null);
        assertThat(text.response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Scrape prometheus = scrape("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(prometheus.response.headers().firstValue("Content-Type")).hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(prometheus.response.body()).endsWith("# EOF\n");
        assertThat(prometheus.response.body()).containsPattern(
                "(?m)^mailroot_sink_calls_total\\{binding=\"broken\",event=\"OnSubmission\",outcome=\"failed\"\\} 3\\.0$");
    }

    /**
     * Prometheus' own linter on our part of the scrape (the JVM binders' names are Micrometer's).
     * {@code .ci/run} provides promtool; without it this test fails, it never skips.
     */
    @Test
    void promtoolFindsNoProblemInOurNames() throws Exception {
        Scrape s = scrape(null);
        String ours = s.response.body().lines()
                .filter(l -> l.startsWith("mailroot_") || l.startsWith("# HELP mailroot_") || l.startsWith("# TYPE mailroot_"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        assertThat(ours).contains("mailroot_sink_calls_total");
        Process p = new ProcessBuilder(promtool(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(ours.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(said).isZero();
        assertThat(said).isBlank();
    }

    /** {@code $PROMTOOL}, else promtool on the PATH; a missing one is a failure naming the remedy. */
    static String promtool() {
        String env = System.getenv("PROMTOOL");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        throw new AssertionError("promtool not found (set PROMTOOL or put it on the PATH): .ci/run unpacks it from "
                + "Debian's prometheus package");
    }
}
