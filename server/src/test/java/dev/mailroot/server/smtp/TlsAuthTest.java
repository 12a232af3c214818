package dev.mailroot.server.smtp;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static dev.mailroot.server.smtp.TlsTestHome.ALICE_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** STARTTLS with the configured, replaced or self-signed certificate, and AUTH on the default (mx) listener. */
class TlsAuthTest {

    @TempDir
    Path home;

    private static final String PEM = TlsTestHome.AUTH + "tls: {cert: tls/cert.pem, key: tls/key.pem}\n";

    @Test
    void startTlsPresentsTheConfiguredCertificateAndOffersAuthOnlyAfterIt() throws Exception {
        TlsTestHome.pemPair(home.resolve("conf/tls"), "first.test", "cert.pem", "key.pem");
        try (TestServer server = TestServer.start(home, PEM, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            String before = c.send("EHLO client.test");
            assertThat(before).contains("250-STARTTLS").doesNotContain("AUTH");
            assertThat(c.startTls()).startsWith("220");
            assertThat(c.peerSubject()).isEqualTo("CN=first.test");
            assertThat(c.protocol()).isIn("TLSv1.3", "TLSv1.2");
            String after = c.send("EHLO client.test");
            assertThat(after).contains("250-AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(c.send("STARTTLS")).startsWith("454");
        }
    }

    @Test
    void replacedCertificateFilesAreUsedByTheNextConnectionWithoutARestart() throws Exception {
        Path tls = home.resolve("conf/tls");
        TlsTestHome.pemPair(tls, "first.test", "cert.pem", "key.pem");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, PEM, SinkChain.EMPTY)) {
            assertThat(subjectSeen(server.port())).isEqualTo("CN=first.test");

            TlsTestHome.pemPair(home, "second.test", "new-cert.pem", "new-key.pem");
            Files.move(home.resolve("new-key.pem"), tls.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(home.resolve("new-cert.pem"), tls.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(10)).until(() -> subjectSeen(server.port()).equals("CN=second.test"));
            assertThat(logs.containing("MR1202")).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("CN=second.test"));
        }
    }

    @Test
    void aBrokenReplacementIsReportedAndTheOldCertificateStays() throws Exception {
        Path tls = home.resolve("conf/tls");
        TlsTestHome.pemPair(tls, "first.test", "cert.pem", "key.pem");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, PEM, SinkChain.EMPTY)) {
            assertThat(subjectSeen(server.port())).isEqualTo("CN=first.test");
            // a key of another pair: half of a replacement, or a mistake
            TlsTestHome.pemPair(home, "other.test", "other-cert.pem", "other-key.pem");
            Files.copy(home.resolve("other-key.pem"), tls.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);

            assertThat(subjectSeen(server.port())).isEqualTo("CN=first.test");
            assertThat(logs.containing("MR1203")).singleElement().satisfies(e ->
                    assertThat(e.getFormattedMessage()).contains("does not belong to the certificate").contains("CN=first.test"));
            assertThat(subjectSeen(server.port())).isEqualTo("CN=first.test");
            assertThat(logs.containing("MR1203")).hasSize(1); // reported once, not at every handshake
        }
    }

    @Test
    void withoutACertificateASelfSignedOneIsMadeWithAWarningAndKeptForTheNextStart() throws Exception {
        String subject;
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY)) {
            assertThat(home.resolve("mailroot/tls")).doesNotExist(); // nothing made until a client asks for TLS
            assertThat(server.server().metrics().scrape()).contains("mailroot_tls_certificate_expiry_timestamp_seconds NaN");
            subject = subjectSeen(server.port());
            // the expiry of the certificate just made, as an alert reads it
            double expiry = Double.parseDouble(server.server().metrics().scrape().lines()
                    .filter(l -> l.startsWith("mailroot_tls_certificate_expiry_timestamp_seconds ")).findFirst().orElseThrow().split(" ")[1]);
            assertThat(expiry).isGreaterThan(java.time.Instant.now().plus(Duration.ofDays(300)).getEpochSecond());
            assertThat(logs.containing("MR1201")).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("self-signed").contains("tls.cert"));
        }
        Path cert = home.resolve("mailroot/tls/selfsigned-cert.pem");
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            assertThat(c.getSubjectX500Principal().getName()).isEqualTo(subject).startsWith("CN=");
        }
        assertThat(Files.readString(home.resolve("mailroot/tls/selfsigned-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY)) {
            assertThat(subjectSeen(server.port())).isEqualTo(subject);
            assertThat(logs.containing("MR1201")).isEmpty();
        }
    }

    @Test
    void aTraditionalRsaKeyStopsTheStartWithTheConversionCommand() throws Exception {
        Path tls = home.resolve("conf/tls");
        Files.createDirectories(tls);
        TlsTestHome.run(tls, "openssl", "genrsa", "-traditional", "-out", "key.pem", "2048");
        TlsTestHome.run(tls, "openssl", "req", "-x509", "-key", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=rsa.test");
        assertThat(Files.readString(tls.resolve("key.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThatThrownBy(() -> TestServer.start(home, PEM, SinkChain.EMPTY))
                .hasMessageContaining("key.pem").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void authBeforeStartTlsIsRefusedWith538() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD))
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
            assertThat(c.send("AUTH LOGIN")).startsWith("538 5.7.11");
            c.startTls();
            c.send("EHLO client.test");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD)).isEqualTo("235 2.7.0 Authentication successful");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD)).startsWith("503 5.5.1");
            // every refusal is counted by its code, the AUTH command's own too
            String metrics = server.server().metrics().scrape();
            assertThat(metrics).containsPattern("(?m)^mailroot_smtp_rejects_total\\{code=\"538\",listener=\"[a-z]+\"\\} 2\\.0$")
                    .containsPattern("(?m)^mailroot_smtp_rejects_total\\{code=\"503\",listener=\"[a-z]+\"\\} 1\\.0$");
        }
    }

    @Test
    void plaintextAuthFromLoopbackWhenConfigured() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, TlsTestHome.AUTH + "auth: {allowPlaintextOnLoopback: true}\n", SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            assertThat(c.send("EHLO client.test")).contains("250-AUTH PLAIN LOGIN");
            assertThat(c.send("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(c.send(b64("bob"))).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.send(b64(TlsTestHome.BOB_PASSWORD))).isEqualTo("235 2.7.0 Authentication successful");
            assertThat(c.send("STARTTLS")).startsWith("503 5.5.1 Error: STARTTLS after AUTH");
        }
    }

    @Test
    void aWrongPasswordIsRefused535AfterTheDelay() throws Exception {
        TlsTestHome.mailboxes(home);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            c.startTls();
            long start = System.nanoTime();
            assertThat(c.authPlain("alice@example.test", "wrong-password")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            start = System.nanoTime();
            assertThat(c.authPlain("nobody@example.test", "whatever-it-is")).startsWith("535 5.7.8");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(logs.containing("MR1211")).hasSize(2).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("wrong password"));
            assertThat(logs.events().toString()).doesNotContain("wrong-password");
            assertThat(c.authPlain("a.smith@example.test", ALICE_PASSWORD)).startsWith("235 2.7.0");
            // what an alert on password guessing reads (docs/metrics.md)
            String metrics = server.server().metrics().scrape();
            String listener = metrics.lines().filter(l -> l.startsWith("mailroot_smtp_auth_failures_total{")).findFirst().orElseThrow();
            assertThat(listener).endsWith(" 2.0");
            assertThat(metrics).containsPattern("(?m)^mailroot_smtp_rejects_total\\{code=\"535\",listener=\"[a-z]+\"\\} 2\\.0$");
        }
    }

    @Test
    void repeatedFailuresLockTheAddressOutEvenForTheRightPasswordUntilTheLockoutEnds() throws Exception {
        TlsTestHome.mailboxes(home);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY)) {
            try (TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
                c.send("EHLO client.test");
                c.startTls();
                for (int i = 0; i < 3; i++) {
                    assertThat(c.authPlain("alice", "guess-" + i)).startsWith("535 5.7.8");
                }
                assertThat(c.authPlain("alice", ALICE_PASSWORD))
                        .isEqualTo("454 4.7.0 Too many failed authentication attempts from your address, try again later");
            }
            assertThat(logs.containing("MR1211").get(2).getFormattedMessage()).contains("now locked out");
            // a new connection is locked out too, until lockoutSeconds (2 s here) pass
            assertThat(authOnNewConnection(server.port(), "alice", ALICE_PASSWORD)).startsWith("454 4.7.0");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> authOnNewConnection(server.port(), "alice", ALICE_PASSWORD).startsWith("235"));
        }
    }

    @Test
    void withoutAMailboxDirectoryEveryLoginIsRefused() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY)) {
            assertThat(authOnNewConnection(server.port(), "alice", ALICE_PASSWORD)).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(logs.containing("MR1211")).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("no mailbox directory"));
        }
    }

    @Test
    void anAuthenticatedUserSendsToARemoteDomainAndTheReceivedFieldNamesTheUser() throws Exception {
        TlsTestHome.mailboxes(home);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            c.startTls();
            c.send("EHLO client.test");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD)).startsWith("235");
            assertThat(c.sendMail("alice@example.test", List.of("bob@example.test", "carol@remote.test"),
                    "Subject: out\r\n\r\nhello\r\n")).startsWith("250 2.0.0 Ok: queued as");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            String copy = Files.readString(server.newMail("bob").get(0));
            assertThat(copy).contains("Received: from client.test ([127.0.0.1]) (authenticated as alice@example.test)\r\n")
                    .contains(" (Mailroot) with ESMTPSA id ");
            assertThat(logs.containing("MR1001")).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("auth=alice@example.test").contains("rcpt=[bob@example.test, carol@remote.test]"));
        }
    }

    @Test
    void tlsWithoutAuthIsMarkedEsmtpsAndPlainStaysEsmtp() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            c.startTls();
            c.send("EHLO client.test");
            assertThat(c.sendMail("x@elsewhere.test", List.of("bob@example.test"), "Subject: s\r\n\r\nhi\r\n")).startsWith("250");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            String copy = Files.readString(server.newMail("bob").get(0));
            assertThat(copy).contains("Received: from client.test ([127.0.0.1])\r\n").contains(" with ESMTPS id ")
                    .doesNotContain("authenticated");
        }
    }

    @Test
    void aMessageCutShortUnderTlsIsNotSpooled() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, TlsTestHome.AUTH, SinkChain.EMPTY)) {
            try (TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
                c.send("EHLO client.test");
                c.startTls();
                c.send("EHLO client.test");
                assertThat(c.send("MAIL FROM:<a@elsewhere.test>")).startsWith("250");
                assertThat(c.send("RCPT TO:<bob@example.test>")).startsWith("250");
                c.write("BDAT 1000 LAST\r\nSubject: cut\r\n\r\n0123456789");
            } // closes with a TLS close_notify: a clean end of the input, 980 bytes short
            try (TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
                c.send("EHLO client.test");
                c.startTls();
                c.send("EHLO client.test");
                c.send("MAIL FROM:<a@elsewhere.test>");
                c.send("RCPT TO:<bob@example.test>");
                assertThat(c.send("DATA")).startsWith("354");
                c.write("Subject: cut\r\n\r\nno final dot\r\n");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.containing("MR1016").size() == 2);
            assertThat(logs.containing("MR1001")).isEmpty();
            assertThat(server.server().spool().size()).isZero();
        }
    }

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String subjectSeen(int port) throws Exception {
        try (TlsSmtpClient c = TlsSmtpClient.plain(port)) {
            c.send("EHLO client.test");
            c.startTls();
            String s = c.peerSubject();
            c.send("QUIT");
            return s;
        }
    }

    private static String authOnNewConnection(int port, String user, String password) throws Exception {
        try (TlsSmtpClient c = TlsSmtpClient.plain(port)) {
            c.send("EHLO client.test");
            c.startTls();
            return c.authPlain(user, password);
        }
    }
}
