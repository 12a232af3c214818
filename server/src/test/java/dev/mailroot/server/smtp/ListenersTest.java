package dev.mailroot.server.smtp;

import dev.mailroot.server.TestServer;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.ConfigLoader;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.mailroot.server.smtp.TlsTestHome.ALICE_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Several listeners in one server: inbound MX, STARTTLS submission (587) and implicit-TLS submission (465). */
class ListenersTest {

    @TempDir
    Path home;

    private static final String THREE = TlsTestHome.AUTH + """
            listeners:
              - {name: mx, port: 25}
              - {name: submission, port: 587}
              - {name: submissions, port: 465}
            """;

    @Test
    void wellKnownPortsGetTheirDefaultsAndTheSmtpKeysStillMeanOneListener() throws Exception {
        Files.writeString(home.resolve("mailroot.yaml"), THREE);
        MailrootConfig c = new ConfigLoader().load(home.resolve("mailroot.yaml"), true);
        assertThat(c.effectiveListeners()).extracting(MailrootConfig.Listener::name, MailrootConfig.Listener::tls,
                MailrootConfig.Listener::anonymous, MailrootConfig.Listener::bind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("mx", "starttls", true, "127.0.0.1"),
                org.assertj.core.groups.Tuple.tuple("submission", "required", false, "127.0.0.1"),
                org.assertj.core.groups.Tuple.tuple("submissions", "implicit", false, "127.0.0.1"));
        MailrootConfig defaults = new ConfigLoader().defaults();
        assertThat(defaults.effectiveListeners()).singleElement()
                .isEqualTo(new MailrootConfig.Listener("mx", "127.0.0.1", 2525, "starttls", true, true));
    }

    @Test
    void badListenersAreRefusedWithTheirKey() throws Exception {
        assertThat(error("listeners:\n  - {name: mx, port: 25, tls: sometimes}\n"))
                .contains("listeners[0].tls: 'sometimes' is not one of none, starttls, required, implicit");
        assertThat(error("listeners:\n  - {name: mx}\n")).contains("listeners[0].port: missing");
        assertThat(error("listeners:\n  - {name: a, port: 25}\n  - {name: a, port: 26}\n")).contains("listeners[1].name: 'a' is used twice");
        assertThat(error("listeners:\n  - {name: a, port: 25, anonymous: false, auth: false}\n")).contains("would refuse every sender");
        assertThat(error("listeners:\n  - {name: a, port: 25, tsl: none}\n")).contains("unknown key").contains("tsl");
        assertThat(error("relay: {trustedNetworks: [10.0.0.0/33]}\n")).contains("relay.trustedNetworks").contains("0..32");
        assertThat(error("relay: {trustedNetworks: [intranet.example]}\n")).contains("not an IP address or network");
        assertThat(error("tls: {cert: a.pem}\n")).contains("cert and key go together");
    }

    @Test
    void submissionNeedsStartTlsThenAuthBeforeMail() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, THREE, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.server().smtpPort("submission"))) {
            assertThat(c.send("EHLO client.test")).contains("STARTTLS").doesNotContain("AUTH");
            assertThat(c.send("MAIL FROM:<alice@example.test>")).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            assertThat(c.startTls()).startsWith("220");
            assertThat(c.send("EHLO client.test")).contains("250-AUTH PLAIN LOGIN");
            assertThat(c.send("MAIL FROM:<alice@example.test>")).isEqualTo("530 5.7.0 Authentication required");
            assertThat(c.send("RCPT TO:<bob@example.test>")).isEqualTo("530 5.7.0 Authentication required");
            assertThat(c.authPlain("alice", ALICE_PASSWORD)).startsWith("235 2.7.0");
            assertThat(c.sendMail("alice@example.test", List.of("bob@example.test"), "Subject: sub\r\n\r\nhi\r\n")).startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            // the gates' refusals are counted on their listener (STARTTLS first, then AUTH first twice)
            assertThat(server.server().metrics().scrape())
                    .contains("mailroot_smtp_rejects_total{code=\"530\",listener=\"submission\"} 3.0");
        }
    }

    @Test
    void implicitTlsListenerSpeaksTlsFromTheFirstByte() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, THREE, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.implicit(server.server().smtpPort("submissions"))) {
            assertThat(c.greeting()).startsWith("220 ");
            assertThat(c.send("EHLO client.test")).contains("250-AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(c.send("MAIL FROM:<alice@example.test>")).isEqualTo("530 5.7.0 Authentication required");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD)).startsWith("235 2.7.0");
            assertThat(c.sendMail("alice@example.test", List.of("bob@example.test", "dave@remote.test"), "Subject: s\r\n\r\nhi\r\n"))
                    .startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0))).contains("with ESMTPSA id ");
        }
    }

    @Test
    void aPlaintextClientOnTheImplicitTlsPortGetsNoGreetingAndTheListenerGoesOn() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, THREE, SinkChain.EMPTY)) {
            int port = server.server().smtpPort("submissions");
            try (java.net.Socket plain = new java.net.Socket("127.0.0.1", port)) {
                plain.setSoTimeout(10_000);
                plain.getOutputStream().write("EHLO plain.test\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] answer = plain.getInputStream().readNBytes(3);
                assertThat(new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotStartWith("220");
            }
            try (TlsSmtpClient c = TlsSmtpClient.implicit(port)) {
                assertThat(c.greeting()).startsWith("220 ");
            }
        }
    }

    @Test
    void theMxListenerStillTakesAnonymousMailForLocalDomainsBesideTheSubmissionPorts() throws Exception {
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, THREE, SinkChain.EMPTY);
             TlsSmtpClient c = TlsSmtpClient.plain(server.server().smtpPort("mx"))) {
            c.send("EHLO sender.test");
            assertThat(c.sendMail("someone@sender.test", List.of("bob@example.test"), "Subject: in\r\n\r\nhi\r\n")).startsWith("250 2.0.0");
            assertThat(c.send("MAIL FROM:<someone@sender.test>")).startsWith("250");
            assertThat(c.send("RCPT TO:<x@remote.test>")).isEqualTo("550 5.7.1 <x@remote.test>: Relay access denied");
        }
    }

    @Test
    void aListenerOnAPortInUseNamesItsKey() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path conf = Files.createDirectories(home.resolve("conf"));
            Files.writeString(conf.resolve("mailroot.yaml"), "listeners:\n  - {name: mx, port: 0}\n  - {name: sub, port: "
                    + taken.getLocalPort() + ", tls: required, anonymous: false}\nshutdownGraceSeconds: 1\n");
            MailrootConfig config = new ConfigLoader().load(conf.resolve("mailroot.yaml"), true);
            assertThatThrownBy(() -> dev.mailroot.server.MailrootServer.start(new dev.mailroot.server.Home(home), config,
                    SinkChain.EMPTY, java.time.Clock.systemDefaultZone()))
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (listeners[1].port)");
        }
    }

    private String error(String yaml) throws Exception {
        Path f = home.resolve("mailroot.yaml");
        Files.writeString(f, yaml);
        try {
            new ConfigLoader().load(f, true);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }
}
