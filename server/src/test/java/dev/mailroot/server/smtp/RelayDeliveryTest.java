package dev.mailroot.server.smtp;

import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static dev.mailroot.server.smtp.TlsTestHome.ALICE_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mail that leaves, end to end between two real Mailroot servers on loopback: alice authenticates
 * (AUTH PLAIN after STARTTLS) on server A and sends to two addresses of remote.test, served by
 * server B; A delivers over STARTTLS (B's self-signed certificate, opportunistic TLS), B refuses the
 * address it does not know with {@code 550 5.1.1}, and alice gets one delivery status notification
 * for it. The copy at B carries both {@code Received:} fields: B's {@code with ESMTPS} (A used TLS)
 * and A's {@code with ESMTPSA} naming the authenticated user.
 */
class RelayDeliveryTest {

    @TempDir
    Path root;

    @Test
    void anAuthenticatedUsersMailGoesToTheRemoteServerOverStartTlsAndAnUnknownRecipientBouncesToTheUser() throws Exception {
        Path homeB = root.resolve("b");
        Files.createDirectories(homeB.resolve("conf"));
        Files.writeString(homeB.resolve("conf/mailboxes.yaml"), "mailboxes:\n  carol: {}\n");
        Path homeA = root.resolve("a");
        TlsTestHome.mailboxes(homeA);
        try (TestServer b = TestServer.start(homeB, "domains: [remote.test]\n", SinkChain.EMPTY);
             // an OnSubmission sink sees who sent it, and says so in a header field
             TestServer a = TestServer.start(homeA, TlsTestHome.AUTH + "outbound: {routes: {remote.test: \"127.0.0.1:" + b.port()
                     + "\"}, retryFirst: 1s, retryMax: 2s}\n", dev.mailroot.server.dispatch.TestSinks.chain(
                     dev.mailroot.server.dispatch.TestSinks.bound("who", 1, (s, ctx) -> {
                         s.headers().add("X-Sent-By", s.envelope().authenticatedUser().orElse("anonymous"));
                         return dev.mailroot.sink.SinkStatus.RUN_NEXT_SINK;
                     })));
             TlsSmtpClient c = TlsSmtpClient.plain(a.port())) {
            c.send("EHLO laptop.example.test");
            assertThat(c.startTls()).startsWith("220");
            c.send("EHLO laptop.example.test");
            assertThat(c.authPlain("alice", ALICE_PASSWORD)).startsWith("235");
            assertThat(c.sendMail("alice@example.test", List.of("carol@remote.test", "nobody@remote.test"),
                    "From: alice@example.test\r\nTo: carol@remote.test\r\nSubject: across\r\nMessage-ID: <across@example.test>\r\n\r\n"
                            + "hello over there\r\n")).startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> b.newMail("carol").size() == 1);
            String copy = Files.readString(b.newMail("carol").get(0), StandardCharsets.UTF_8);
            assertThat(copy).contains("Subject: across", "hello over there", "X-Sent-By: alice\r\n");
            assertThat(copy).containsPattern("(?s)Received: from \\S+ \\(\\[127\\.0\\.0\\.1\\]\\)\\s+by \\S+ \\(Mailroot\\) with ESMTPS id");
            assertThat(copy).contains("(authenticated as alice)").containsPattern("with ESMTPSA id");
            // the unknown address: one report to alice, at A
            await().atMost(Duration.ofSeconds(30)).until(() -> a.newMail("alice").size() == 1 && a.server().spool().size() == 0);
            MimeMessage dsn;
            try (InputStream in = Files.newInputStream(a.newMail("alice").get(0))) {
                dsn = new MimeMessage(Session.getInstance(new Properties()), in);
            }
            DeliveryStatus status = (DeliveryStatus) ((MultipartReport) dsn.getContent()).getReport();
            assertThat(status.getRecipientDSNCount()).isEqualTo(1);
            assertThat(status.getRecipientDSN(0).getHeader("Final-Recipient", null)).contains("nobody@remote.test");
            assertThat(status.getRecipientDSN(0).getHeader("Status", null)).isEqualTo("5.1.1");
            assertThat(status.getRecipientDSN(0).getHeader("Remote-MTA", null)).isNotNull();
            assertThat(b.newMail("nobody")).isEmpty();
        }
    }
}
