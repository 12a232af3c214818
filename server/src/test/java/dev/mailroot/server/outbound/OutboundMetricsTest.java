package dev.mailroot.server.outbound;

import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbound queue's meters in a real server sending to a scripted SMTP peer: a recipient sent,
 * one refused for good (a failure report goes to the sender), one deferred.
 */
class OutboundMetricsTest {
    @TempDir
    Path root;

    private static double count(MeterRegistry r, String name, String... tags) {
        var c = r.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void sentFailedAndDeferredRecipientsAreCountedPerDomainAndTheReportToo() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = TestServer.start(root.resolve("home"), "domains: [localhost]\n"
                + "outbound: {routes: {remote.test: \"127.0.0.1:" + peer.port() + "\"}, retryFirst: 1h, retryMax: 2h}\n",
                SinkChain.EMPTY)) {
            Path tmp = Files.writeString(root.resolve("m.tmp"), "x-sender: alice@localhost\r\nx-receiver: ok@remote.test\r\n"
                    + "x-receiver: bad@remote.test\r\nx-receiver: temp@remote.test\r\nFrom: alice@localhost\r\nSubject: out\r\n\r\nhi\r\n");
            Files.move(tmp, s.home().pickup().resolve("m.eml"));
            MeterRegistry r = s.server().metrics().registry();
            await().atMost(Duration.ofSeconds(20)).until(() -> count(r, "mailroot.dsn.sent", "kind", "failure") == 1);
            assertThat(count(r, "mailroot.outbound.deliveries", "domain", "remote.test", "result", "sent")).isEqualTo(1);
            assertThat(count(r, "mailroot.outbound.deliveries", "domain", "remote.test", "result", "failed")).isEqualTo(1);
            assertThat(count(r, "mailroot.outbound.deliveries", "domain", "remote.test", "result", "deferred")).isEqualTo(1);
            assertThat(r.get("mailroot.outbound.attempt.duration").timer().count()).isGreaterThanOrEqualTo(1);
            String text = s.server().metrics().scrape();
            assertThat(text).contains("mailroot_outbound_recipients{state=\"deferred\"} 1.0")
                    .contains("mailroot_dsn_sent_total{kind=\"failure\"} 1.0");
            // the console's chart: the bounced recipient in the failed column, the one sent in the sent one
            s.server().history().sample();
            var hour = s.server().history().lastHour();
            assertThat(hour.stream().mapToLong(dev.mailroot.server.metrics.History.Sample::failed).sum()).isEqualTo(1);
            assertThat(hour.stream().mapToLong(dev.mailroot.server.metrics.History.Sample::sent).sum()).isEqualTo(1);
            // received counts SMTP and pickup: the failure report the server wrote itself is not in it
            assertThat(hour.stream().mapToLong(dev.mailroot.server.metrics.History.Sample::received).sum()).isEqualTo(1);
        }
    }
}
