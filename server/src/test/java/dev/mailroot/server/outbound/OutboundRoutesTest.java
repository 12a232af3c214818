package dev.mailroot.server.outbound;

import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the server finds where remote mail goes, end to end: MX records from a real DNS server
 * (dnsmasq on loopback, {@code outbound.resolver}), a domain that does not exist (failed at once,
 * reported to the sender), and a smarthost that requires STARTTLS and AUTH (the ISP relay the SBS
 * way).
 */
class OutboundRoutesTest {

    @TempDir
    Path root;

    private void drop(TestServer s, String name, String to) throws IOException {
        Path tmp = s.home().pickup().resolve("." + name);
        Files.writeString(tmp, "x-sender: alice@localhost\r\nx-receiver: " + to + "\r\nFrom: alice@localhost\r\nSubject: " + name
                + "\r\n\r\nbody\r\n");
        Files.move(tmp, s.home().pickup().resolve(name + ".eml"));
    }

    @Test
    void mxRecordsFromTheConfiguredResolverAreUsedAndANonexistentDomainBouncesAtOnce() throws Exception {
        int dnsPort;
        try (DatagramSocket d = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            dnsPort = d.getLocalPort();
        }
        Path log = root.resolve("dnsmasq.log");
        Process dnsmasq = new ProcessBuilder("/usr/sbin/dnsmasq", "--keep-in-foreground", "--port=" + dnsPort,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=",
                "--local=/test/", "--log-facility=-", "--mx-host=mx.test,mail.mx.test,10", "--host-record=mail.mx.test,127.0.0.1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (ScriptedPeer peer = ScriptedPeer.plain();
             TestServer s = TestServer.start(root.resolve("home"), "outbound: {resolver: \"dns://127.0.0.1:" + dnsPort
                     + "\", port: " + peer.port() + ", retryFirst: 1s, retryMax: 1s}\n", SinkChain.EMPTY)) {
            drop(s, "by-mx", "ok7@mx.test");
            drop(s, "nowhere", "someone@nxdomain.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> peer.received.size() == 1 && s.newMail("alice").size() == 1);
            assertThat(peer.received.get(0).recipients()).containsExactly("ok7@mx.test");
            assertThat(Files.readString(s.newMail("alice").get(0))).contains("someone@nxdomain.test", "5.1.2");
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server().spool().size() == 0);
        } finally {
            dnsmasq.destroy();
            dnsmasq.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSmarthostWithCredentialsGetsEverythingOverStartTlsWithAuth() throws Exception {
        TestCertificates cert = TestCertificates.generate(Files.createDirectories(root.resolve("cert")), "relay.isp.test",
                "dns:relay.isp.test");
        try (ScriptedPeer isp = ScriptedPeer.auth(cert.serverContext(), "office@isp.test", "s3cret");
             TestServer s = TestServer.start(root.resolve("home"), "outbound: {smarthost: {host: 127.0.0.1, port: " + isp.port()
                     + ", user: office@isp.test, password: s3cret, tls: encrypt, verify: false}, retryFirst: 1s}\n",
                     SinkChain.EMPTY)) {
            drop(s, "via-isp", "ok8@anywhere.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> isp.received.size() == 1);
            assertThat(isp.received.get(0).authUser()).isEqualTo("office@isp.test");
            assertThat(isp.received.get(0).recipients()).containsExactly("ok8@anywhere.test");
            assertThat(isp.commands).allMatch(c -> c.endsWith("[TLS]"));
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server().spool().size() == 0);
        }
    }

    @Test
    void aSmarthostWithAWrongPasswordKeepsTheMailQueued() throws Exception {
        TestCertificates cert = TestCertificates.generate(Files.createDirectories(root.resolve("cert")), "relay.isp.test",
                "dns:relay.isp.test");
        try (ScriptedPeer isp = ScriptedPeer.auth(cert.serverContext(), "office@isp.test", "s3cret");
             TestServer s = TestServer.start(root.resolve("home"), "outbound: {smarthost: {host: 127.0.0.1, port: " + isp.port()
                     + ", user: office@isp.test, password: wrong, tls: encrypt, verify: false}, retryFirst: 1h}\n",
                     SinkChain.EMPTY)) {
            drop(s, "refused", "ok9@anywhere.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().outbound().recipients().get(0).attempts() == 1));
            String last = s.server().outbound().entries().iterator().next().envelope().outbound().recipients().get(0).lastReply();
            assertThat(last).startsWith("4"); // temporary: the administrator fixes the password, nothing bounces
            assertThat(isp.received).isEmpty();
            assertThat(s.newMail("alice")).isEmpty();
        }
    }
}
