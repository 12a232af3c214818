package dev.mailroot.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.doctor.Check;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The doctor's POP3 check (MR8009) with the connector as built: not in use, reachable, and a refused login. */
class Pop3DoctorIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    @TempDir
    Path home;

    private static Check pop3(TestServer server) {
        return server.server().doctor().runNow().checks().stream().filter(c -> c.eventId().equals("MR8009")).findFirst().orElseThrow();
    }

    @Test
    void theCheckIsSkippedWithoutAccountsPassesForAGoodOneAndFailsForARefusedLogin() throws Exception {
        ConnectorHome connector = new ConnectorHome(home);
        connector.plugins();
        try (TestServer server = TestServer.startWithPlugins(home, "domains: [example.test]\nplugins: {bundled: false}\n")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.server().plugins().loadedPlugins().contains("pop3-connector"));
            // a fresh home: the connector is loaded but nobody uses it
            Check none = pop3(server);
            assertThat(none.status()).isEqualTo(Check.Status.SKIP);
            assertThat(none.detail()).contains("no POP3 accounts");

            connector.accounts("accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n    port: " + remote.getPop3().getPort()
                    + "\n    user: carol\n    password: secret\n    mailbox: carol\n    intervalMinutes: 600\n");
            assertThat(pop3(server).status()).isEqualTo(Check.Status.OK);

            connector.accounts("accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n    port: " + remote.getPop3().getPort()
                    + "\n    user: carol\n    password: wrong\n    mailbox: carol\n    intervalMinutes: 600\n");
            Check refused = pop3(server);
            assertThat(refused.status()).isEqualTo(Check.Status.FAIL);
            assertThat(refused.detail()).contains("carol-isp");
        }
    }
}
