package dev.mailroot.server.outbound;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.spool.OutboundState;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code OnRemoteDelivery} transport event with a real plugin jar in a real server: a sink bound
 * to it adds a header field (a DKIM signer's place) that the remote server receives exactly once
 * even after two {@code 451} retries, refuses a destination (the sender gets a DSN quoting the
 * sink's reply, the remote server gets nothing), or holds the message in the queue.
 */
class RemoteDeliveryEventTest {
    private static final String SINK = "test.sinks.RemoteSink";
    private static final String SOURCE = """
            package test.sinks;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            @Extension
            public class RemoteSink implements OnRemoteDeliverySink {
                public Verdict onRemoteDelivery(RemoteDelivery d, SinkContext c) {
                    String header = c.properties().get("header");
                    if (header != null) {
                        d.addHeader(header.substring(0, header.indexOf(':')),
                                header.substring(header.indexOf(':') + 1).strip() + " attempt=" + (d.previousAttempts() + 1));
                    }
                    switch (c.properties().getOrDefault("verdict", "proceed")) {
                        case "reject": return Verdict.reject(SmtpReply.parse(c.properties().get("reply")));
                        case "quarantine": return Verdict.quarantine("held by " + c.bindingName());
                        case "error": throw new StackOverflowError("a sink that breaks");
                        case "hang":
                            while (true) {
                                try { Thread.sleep(60_000); } catch (InterruptedException ignored) { }
                            }
                        default: return Verdict.proceed();
                    }
                }
            }
            """;

    @TempDir
    static Path work;
    @TempDir
    Path home;

    private static Path jar;

    @BeforeAll
    static void buildPlugin() throws Exception {
        jar = PluginJarBuilder.plugin("remote").source(SINK, SOURCE).build(work, work.resolve("remote.jar"));
    }

    private void bind(String name, String rule, String... props) throws Exception {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < props.length; i += 2) {
            p.put(props[i], props[i + 1]);
        }
        Files.createDirectories(home.resolve("conf"));
        new BindingStore(home.resolve("conf/bindings.yaml")).update(r -> r.with(new Binding(Binding.newId(), name,
                "OnRemoteDelivery", SINK, true, rule, 10, p)));
    }

    private TestServer start(int peerPort) throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(jar, home.resolve("plugins/remote.jar"), StandardCopyOption.REPLACE_EXISTING);
        return TestServer.startWithPlugins(home, "outbound: {routes: {remote.test: \"127.0.0.1:" + peerPort
                + "\"}, retryFirst: 1s, retryMax: 1s}\n");
    }

    private void drop(TestServer s, String name, String to) throws Exception {
        Path tmp = home.resolve("mailroot/pickup/." + name + ".tmp");
        Files.writeString(tmp, "x-sender: alice@localhost\r\nx-receiver: " + to + "\r\nFrom: alice@localhost\r\nSubject: " + name
                + "\r\n\r\nbody\r\n");
        Files.move(tmp, home.resolve("mailroot/pickup/" + name + ".eml"), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aHeaderAddedBeforeEachAttemptReachesTheRemoteServerOnceAfterTwoRetries() throws Exception {
        bind("signer", "RCPT TO=*@remote.test", "header", "X-Test-Signature: v=1");
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port())) {
            drop(s, "signed", "flaky@remote.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> peer.received.size() == 1);
            assertThat(peer.tries.get("flaky@remote.test").get()).isEqualTo(3);
            String data = new String(peer.received.get(0).data(), StandardCharsets.UTF_8);
            assertThat(data).startsWith("X-Test-Signature: v=1 attempt=3\r\n");
            assertThat(data.split("X-Test-Signature", -1)).hasSize(2); // once
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server().spool().size() == 0);
            // and the stored message was never changed by it: a local copy has no such field
        }
    }

    @Test
    void aSinkThatRejectsTheDestinationFailsTheRecipientWithItsReplyInTheReport() throws Exception {
        bind("no remote.test", "RCPT TO=*@remote.test", "verdict", "reject", "reply", "550 5.7.1 outbound policy: not to remote.test");
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port())) {
            drop(s, "refused", "ok1@remote.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.newMail("alice").size() == 1);
            MimeMessage dsn;
            try (InputStream in = Files.newInputStream(s.newMail("alice").get(0))) {
                dsn = new MimeMessage(Session.getInstance(new Properties()), in);
            }
            DeliveryStatus st = (DeliveryStatus) ((MultipartReport) dsn.getContent()).getReport();
            assertThat(st.getRecipientDSN(0).getHeader("Diagnostic-Code", null)).contains("550 5.7.1 outbound policy: not to remote.test");
            assertThat(peer.received).isEmpty();
            assertThat(peer.commands).isEmpty();
        }
    }

    @Test
    void aSinkThatThrowsAnErrorIsPassedByAndOneThatHangsWithTempfailDefersTheAttemptWithinItsTimeLimit() throws Exception {
        bind("broken", "RCPT TO=ok3@remote.test", "verdict", "error");
        bind("stuck", "RCPT TO=ok4@remote.test", "verdict", "hang", "timeoutMs", "300", "onError", "tempfail");
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port())) {
            drop(s, "broken", "ok3@remote.test");
            drop(s, "stuck", "ok4@remote.test");
            // onError: continue (the default): the Error is the binding's failure, the mail goes on
            await().atMost(Duration.ofSeconds(30)).until(() -> peer.received.size() == 1 && s.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().outbound().recipients().get(0).attempts() >= 1));
            assertThat(peer.received.get(0).recipients()).containsExactly("ok3@remote.test");
            OutboundState.Rcpt stuck = s.server().outbound().entries().iterator().next().envelope().outbound().recipients().get(0);
            assertThat(stuck.address()).isEqualTo("ok4@remote.test");
            assertThat(stuck.lastReply()).startsWith("451 4.7.1");
            assertThat(peer.commands).noneMatch(c -> c.contains("ok4@"));
            assertThat(s.newMail("alice")).isEmpty(); // deferred, not failed: no report
        }
    }

    @Test
    void aSinkThatQuarantinesHoldsTheRecipientsInTheQueue() throws Exception {
        bind("hold", "RCPT TO=ok2@remote.test", "verdict", "quarantine");
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port())) {
            drop(s, "held", "ok2@remote.test");
            drop(s, "free", "ok3@remote.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> peer.received.size() == 1 && s.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().outbound().recipients().get(0).status() == OutboundState.Status.HELD));
            assertThat(peer.received.get(0).recipients()).containsExactly("ok3@remote.test");
            Thread.sleep(1500);
            assertThat(peer.received).hasSize(1);
        }
    }
}
