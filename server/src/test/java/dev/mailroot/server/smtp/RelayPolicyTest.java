package dev.mailroot.server.smtp;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.mailroot.server.smtp.TlsTestHome.ALICE_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/** Who may send to domains that are not local, and which sender addresses an authenticated user may use. */
class RelayPolicyTest {

    @TempDir
    Path home;

    @Test
    void anonymousClientsMayNotRelayEvenOverTls() throws Exception {
        TlsTestHome.mailboxes(home);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            assertThat(c.send("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(c.send("RCPT TO:<carol@remote.test>")).isEqualTo("550 5.7.1 <carol@remote.test>: Relay access denied");
            c.send("RSET");
            c.startTls();
            c.send("EHLO client.test");
            assertThat(c.send("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(c.send("RCPT TO:<carol@remote.test>")).startsWith("550 5.7.1");
            assertThat(c.authPlain("alice", ALICE_PASSWORD)).startsWith("503 5.5.1"); // not in the middle of a transaction
            c.send("RSET");
            assertThat(c.authPlain("alice", ALICE_PASSWORD)).startsWith("235");
            assertThat(c.send("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(c.send("RCPT TO:<carol@remote.test>")).startsWith("250");
            assertThat(logs.containing("MR1002")).first().satisfies(e ->
                    assertThat(e.getFormattedMessage()).contains("not authenticated, nor in relay.trustedNetworks"));
        }
    }

    @Test
    void aTrustedNetworkMayRelayWithoutAuth() throws Exception {
        try (TestServer server = TestServer.start(home, TlsTestHome.AUTH + "relay: {trustedNetworks: [\"10.0.0.0/8\", \"127.0.0.0/8\"]}\n",
                SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO app.internal");
            assertThat(c.sendMail("app@example.test", List.of("carol@remote.test"), "Subject: t\r\n\r\nhi\r\n")).startsWith("250 2.0.0");
        }
    }

    @Test
    void aUserMaySendOnlyAsItsOwnAddressesAliasesAndSendAs() throws Exception {
        TlsTestHome.mailboxes(home);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            c.startTls();
            c.send("EHLO client.test");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD)).startsWith("235");
            assertThat(c.send("MAIL FROM:<bob@example.test>"))
                    .isEqualTo("553 5.7.1 <bob@example.test>: Sender address not owned by authenticated user alice@example.test");
            assertThat(c.send("MAIL FROM:<alice@remote.test>")).startsWith("553 5.7.1");
            for (String mine : List.of("alice@example.test", "A.Smith@Example.TEST", "newsletter@partner.test", "")) {
                assertThat(c.send("MAIL FROM:<" + mine + ">")).as(mine).startsWith("250");
                c.send("RSET");
            }
            assertThat(logs.containing("MR1221")).hasSize(2);
        }
    }
}
