package dev.mailroot.pop3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.metrics.Scrape;
import dev.mailroot.sink.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connector's {@code status} command (what the console's POP3 page shows) and its meters in
 * the server's {@code GET /metrics}, against GreenMail's POP3 server: one account that works, one
 * whose password is wrong.
 */
class Pop3StatusIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    @TempDir
    Path home;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String account(String name, String password) {
        return "  - name: " + name + "\n    host: 127.0.0.1\n    port: " + remote.getPop3().getPort()
                + "\n    user: carol\n    password: " + password + "\n    mailbox: carol\n    intervalMinutes: 600\n";
    }

    private static List<JsonNode> status(TestServer server) throws Exception {
        CommandResult r = server.server().plugins().command("pop3-connector", "status", Map.of()).orElseThrow();
        return r.report().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + l, e);
            }
        }).toList();
    }

    @Test
    void statusReportsEachAccountsRunsAndTheMetricsCountThem() throws Exception {
        remote.getUserManager().getUser("carol").deliver(GreenMailUtil.newMimeMessage(
                "From: a@example.org\r\nTo: carol@example.net\r\nSubject: one\r\n\r\nx\r\n"));
        remote.getUserManager().getUser("carol").deliver(GreenMailUtil.newMimeMessage(
                "From: a@example.org\r\nTo: carol@example.net\r\nSubject: two\r\n\r\nx\r\n"));
        new ConnectorHome(home).accounts("accounts:\n" + account("carol-isp", "secret") + account("typo", "wrong"));
        Instant before = Instant.now().minusSeconds(1);
        try (TestServer server = TestServer.startWithPlugins(home, "admin: {port: 0}\n")) {
            ConnectorHome.delivered(server, "carol", 2);
            List<JsonNode> lines = await().atMost(Duration.ofSeconds(20)).until(() -> status(server),
                    l -> l.size() == 2 && l.stream().allMatch(n -> !n.get("lastRun").isNull() && !n.get("running").asBoolean()));
            JsonNode carol = lines.stream().filter(n -> n.get("account").asText().equals("carol-isp")).findFirst().orElseThrow();
            assertThat(carol.get("host").asText()).isEqualTo("127.0.0.1");
            assertThat(carol.get("port").asInt()).isEqualTo(remote.getPop3().getPort());
            assertThat(carol.get("user").asText()).isEqualTo("carol");
            assertThat(carol.get("intervalMinutes").asInt()).isEqualTo(600);
            assertThat(carol.get("downloaded").asLong()).isEqualTo(2);
            assertThat(carol.get("failed").asLong()).isZero();
            assertThat(carol.get("lastError").isNull()).isTrue();
            assertThat(Instant.parse(carol.get("lastSuccess").asText())).isAfter(before);
            assertThat(carol.toString()).doesNotContain("secret");

            JsonNode typo = lines.stream().filter(n -> n.get("account").asText().equals("typo")).findFirst().orElseThrow();
            assertThat(typo.get("lastSuccess").isNull()).isTrue();
            assertThat(typo.get("lastError").asText()).isNotBlank();
            assertThat(typo.get("downloaded").asLong()).isZero();

            Scrape s = Scrape.of(server.server().adminPort(), Scrape.token(server.home().adminTokenFile()), null);
            assertThat(s.value("mailroot_connector_downloads_total", "plugin", "pop3-connector", "account", "carol-isp")).isEqualTo(2);
            assertThat(s.value("mailroot_connector_failures_total", "plugin", "pop3-connector", "account", "typo")).isEqualTo(1);
            assertThat(s.value("mailroot_connector_failures_total", "plugin", "pop3-connector", "account", "carol-isp")).isZero();
            assertThat(s.value("mailroot_connector_last_success_timestamp_seconds", "account", "carol-isp"))
                    .isGreaterThanOrEqualTo(before.getEpochSecond());
            assertThat(s.value("mailroot_connector_last_success_timestamp_seconds", "account", "typo")).isZero();
            assertThat(s.families.get("mailroot_connector_downloads_total").getHelp()).isNotBlank();
        }
    }
}
