package dev.mailroot.server.outbound;

import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import dev.mailroot.server.spool.OutboundState;
import dev.mailroot.server.spool.SpoolEntry;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbound queue in a real server: mail dropped into pickup for remote recipients goes out over
 * SMTP to a real peer on loopback (a scripted SubEthaSMTP server, or a second Mailroot with
 * STARTTLS), is retried after {@code 4xx}, fails after {@code 5xx} with exactly one delivery status
 * notification that Angus' {@code dsn} parser reads back, warns of delays once, and can be held,
 * released and deleted (into badmail) by the administrator.
 */
class OutboundQueueTest {

    @TempDir
    Path root;

    private TestServer start(int peerPort, String more) throws Exception {
        return TestServer.start(root.resolve("home"), "domains: [localhost]\n"
                + "outbound: {routes: {remote.test: \"127.0.0.1:" + peerPort + "\"}, retryFirst: 1s, retryMax: 2s" + more + "}\n",
                SinkChain.EMPTY);
    }

    private void drop(TestServer s, String name, String from, List<String> to, String body) throws Exception {
        StringBuilder sb = new StringBuilder("x-sender: " + (from.isEmpty() ? "<>" : from) + "\r\n");
        for (String t : to) {
            sb.append("x-receiver: ").append(t).append("\r\n");
        }
        sb.append("From: ").append(from.isEmpty() ? "MAILER-DAEMON@localhost" : from).append("\r\nTo: ").append(String.join(", ", to))
                .append("\r\nSubject: ").append(name).append("\r\nMessage-ID: <").append(name).append("@test>\r\n\r\n")
                .append(body).append("\r\n");
        Path staging = Files.createDirectories(root.resolve("staging"));
        Path tmp = staging.resolve(name + ".eml");
        Files.writeString(tmp, sb.toString());
        Files.move(tmp, s.home().pickup().resolve(name + ".eml"));
    }

    private static List<String> trace(SpoolEntry e) {
        return e.progress().trace().stream().map(t -> t.event() + " " + t.fields()).toList();
    }

    private final dev.mailroot.server.LogCapture logs = new dev.mailroot.server.LogCapture();

    @org.junit.jupiter.api.AfterEach
    void stopCapture() {
        logs.close();
    }

    /** The message-tracking lines written so far. */
    private String tracking(TestServer s) {
        StringBuilder sb = new StringBuilder();
        for (var e : logs.events()) {
            if (e.getLoggerName().equals(dev.mailroot.server.tracking.MessageTracking.LOGGER)) {
                sb.append(e.getFormattedMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void remoteRecipientsGoOutOverSmtpAndLocalOnesStayLocal() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), "")) {
            drop(s, "mixed", "alice@localhost", List.of("ok1@remote.test", "bob@localhost", "ok2@remote.test"), "hello");
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 1 && s.server().spool().size() == 0);
            ScriptedPeer.Received r = peer.received.get(0);
            assertThat(r.from()).isEqualTo("alice@localhost");
            assertThat(r.recipients()).containsExactly("ok1@remote.test", "ok2@remote.test");
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).contains("Subject: mixed", "hello");
            assertThat(s.newMail("bob")).hasSize(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> tracking(s).contains("\"event\":\"sent\""));
            assertThat(tracking(s)).contains("\"destination\":\"remote.test\"", "\"recipients\":\"ok1@remote.test,ok2@remote.test\"");
        }
    }

    @Test
    void aMailboxThatForwardsToARemoteAddressSendsTheCopyOutAndKeepsItsOwn() throws Exception {
        Path home = root.resolve("home");
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailboxes.yaml"), """
                mailboxes:
                  frank:
                    forwardTo: [ok5@remote.test]
                    keepCopy: true
                """);
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), "")) {
            drop(s, "forwarded", "someone@example.org", List.of("frank@localhost"), "for frank, and on");
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 1 && s.newMail("frank").size() == 1);
            ScriptedPeer.Received r = peer.received.get(0);
            assertThat(r.recipients()).containsExactly("ok5@remote.test");
            assertThat(r.from()).isEqualTo("someone@example.org"); // the original sender: no SRS (docs/outbound.md)
            await().atMost(Duration.ofSeconds(5)).until(() -> tracking(s).contains("\"event\":\"sent\""));
            assertThat(tracking(s)).contains("forwarded by frank", "\"recipients\":\"ok5@remote.test\"");
        }
    }

    @Test
    void aLocalRecipientThatFailsForNowWaitsInTheQueueBesideTheRemoteOneAndIsDeliveredLater() throws Exception {
        Path home = root.resolve("home");
        Files.createDirectories(home.resolve("conf"));
        Path directory = home.resolve("conf/mailboxes.yaml");
        Files.writeString(directory, "mailboxes:\n  gina:\n    quota: {messages: 1, warnPercent: 100}\n");
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), "")) {
            drop(s, "first", "someone@example.org", List.of("gina@localhost"), "fills the mailbox");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.newMail("gina").size() >= 1 && s.server().spool().size() == 0);
            int before = s.newMail("gina").size();
            drop(s, "mixed-full", "someone@example.org", List.of("gina@localhost", "ok6@remote.test"), "one full, one remote");
            // the remote copy goes out; gina's waits in the queue as a local retry
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 1 && s.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().outbound().recipients().stream()
                            .anyMatch(r -> r.address().equals("gina@localhost") && r.destination().equals(OutboundQueue.LOCAL))));
            assertThat(s.newMail("gina")).hasSize(before);
            Files.writeString(directory, "mailboxes:\n  gina:\n    quota: {messages: 100}\n");
            Thread.sleep(1200); // the directory is re-read every 500 ms
            s.server().outbound().flush(null, null);
            await().atMost(Duration.ofSeconds(20)).until(() -> s.newMail("gina").size() == before + 1 && s.server().spool().size() == 0);
            assertThat(Files.readString(s.newMail("gina").get(before))).contains("one full, one remote");
            assertThat(peer.received).hasSize(1);
        }
    }

    @Test
    void aDestinationAnswering451TwiceThen250GetsTheMessageOnTheThirdAttempt() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), "")) {
            drop(s, "greylisted", "alice@localhost", List.of("flaky@remote.test"), "try again");
            // while it waits, the queue shows the last reply and the next attempt
            await().atMost(Duration.ofSeconds(10)).until(() -> s.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().outbound().recipients().get(0).attempts() >= 1));
            OutboundState.Rcpt waiting = s.server().outbound().entries().iterator().next().envelope().outbound().recipients().get(0);
            assertThat(waiting.lastReply()).startsWith("451 4.2.0").contains("greylisted");
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 1);
            assertThat(peer.tries.get("flaky@remote.test").get()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server().spool().size() == 0);
            String log = tracking(s);
            assertThat(log.split("\"event\":\"deferred\"", -1)).hasSize(3); // two deferrals
            assertThat(log).contains("\"event\":\"sent\"");
            assertThat(s.newMail("alice")).isEmpty(); // no DSN for a success
        }
    }

    @Test
    void a550FailsThatRecipientWithExactlyOneDsnThatAParserReadsBack() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), "")) {
            drop(s, "bounce", "alice@localhost", List.of("bad1@remote.test", "ok1@remote.test"), "who is bad1?");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.newMail("alice").size() == 1 && peer.received.size() == 1);
            assertThat(peer.received.get(0).recipients()).containsExactly("ok1@remote.test");
            MimeMessage dsn;
            try (InputStream in = Files.newInputStream(s.newMail("alice").get(0))) {
                dsn = new MimeMessage(Session.getInstance(new Properties()), in);
            }
            assertThat(dsn.getHeader("Return-Path", null)).isEqualTo("<>");
            assertThat(dsn.getSubject()).contains("Undelivered");
            assertThat(dsn.getContentType()).contains("multipart/report").contains("delivery-status");
            MultipartReport report = (MultipartReport) dsn.getContent();
            DeliveryStatus status = (DeliveryStatus) report.getReport();
            assertThat(status.getRecipientDSNCount()).isEqualTo(1);
            var rcpt = status.getRecipientDSN(0);
            assertThat(rcpt.getHeader("Final-Recipient", null)).containsIgnoringCase("rfc822").contains("bad1@remote.test");
            assertThat(rcpt.getHeader("Action", null)).isEqualTo("failed");
            assertThat(rcpt.getHeader("Status", null)).isEqualTo("5.1.1");
            assertThat(rcpt.getHeader("Diagnostic-Code", null)).contains("smtp;").contains("550 5.1.1");
            // the returned headers name the original
            assertThat(new String(Files.readAllBytes(s.newMail("alice").get(0)), StandardCharsets.UTF_8))
                    .contains("Message-ID: <bounce@test>");
            await().atMost(Duration.ofSeconds(5)).until(() -> s.server().spool().size() == 0);
            Thread.sleep(500);
            assertThat(s.newMail("alice")).hasSize(1); // exactly one
            assertThat(s.badmail()).isEmpty();
        }
    }

    @Test
    void noDsnForTheNullSenderOrForADsnTheFailedCopyGoesToBadmailWithItsReason() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), "")) {
            drop(s, "nullsender", "", List.of("bad2@remote.test"), "from nobody");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.badmail().stream()
                    .anyMatch(p -> p.getFileName().toString().endsWith(".bdr")));
            Path reason = s.badmail().stream().filter(p -> p.getFileName().toString().endsWith(".bdr")).findFirst().orElseThrow();
            assertThat(Files.readString(reason)).contains("bad2@remote.test", "550 5.1.1", "no report could go to the sender");
            assertThat(s.newMail("alice")).isEmpty();
        }
    }

    @Test
    void aRecipientStillWaitingAfterDelayWarningGetsOneWarningThenFailsAtItsLifetime() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), ", delayWarning: 2s, lifetime: 6s")) {
            drop(s, "slow", "alice@localhost", List.of("temp1@remote.test"), "never accepted");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.newMail("alice").size() >= 1);
            MimeMessage warning;
            try (InputStream in = Files.newInputStream(s.newMail("alice").get(0))) {
                warning = new MimeMessage(Session.getInstance(new Properties()), in);
            }
            DeliveryStatus st = (DeliveryStatus) ((MultipartReport) warning.getContent()).getReport();
            assertThat(st.getRecipientDSN(0).getHeader("Action", null)).isEqualTo("delayed");
            assertThat(st.getRecipientDSN(0).getHeader("Status", null)).isEqualTo("4.2.0");
            assertThat(st.getRecipientDSN(0).getHeader("Will-Retry-Until", null)).isNotNull();
            // then, at the end of its lifetime, one failure report: two messages in all
            await().atMost(Duration.ofSeconds(30)).until(() -> s.newMail("alice").size() == 2 && s.server().spool().size() == 0);
            MimeMessage failure;
            try (InputStream in = Files.newInputStream(s.newMail("alice").get(1))) {
                failure = new MimeMessage(Session.getInstance(new Properties()), in);
            }
            DeliveryStatus fs = (DeliveryStatus) ((MultipartReport) failure.getContent()).getReport();
            assertThat(fs.getRecipientDSN(0).getHeader("Action", null)).isEqualTo("failed");
            assertThat(fs.getRecipientDSN(0).getHeader("Status", null)).isEqualTo("4.4.7");
            Thread.sleep(1500);
            assertThat(s.newMail("alice")).hasSize(2);
        }
    }

    @Test
    void holdReleaseFlushAndDeleteActOnTheQueueAndDeleteMeansBadmail() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(); TestServer s = start(peer.port(), ", retryFirst: 1h, retryMax: 1h")) {
            OutboundQueue q = s.server().outbound();
            drop(s, "held", "alice@localhost", List.of("temp-hold@remote.test"), "x");
            drop(s, "gone", "alice@localhost", List.of("temp-gone@remote.test"), "y");
            await().atMost(Duration.ofSeconds(20)).until(() -> q.entries().size() == 2
                    && q.entries().stream().allMatch(e -> e.envelope().outbound().recipients().get(0).attempts() == 1));
            SpoolEntry held = q.entries().stream().filter(e -> e.envelope().recipients().contains("temp-hold@remote.test"))
                    .findFirst().orElseThrow();
            SpoolEntry gone = q.entries().stream().filter(e -> e.envelope().recipients().contains("temp-gone@remote.test"))
                    .findFirst().orElseThrow();
            assertThat(q.hold(held.id())).isEqualTo(1);
            assertThat(held.envelope().outbound().recipients().get(0).status()).isEqualTo(OutboundState.Status.HELD);
            // a flush of everything does not send a held recipient
            int before = peer.commands.size();
            assertThat(q.flush(null, null)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.commands.stream().skip(before)
                    .anyMatch(c -> c.contains("temp-gone")));
            Thread.sleep(300);
            assertThat(peer.commands.stream().skip(before).noneMatch(c -> c.contains("temp-hold"))).isTrue();
            assertThat(q.release(held.id())).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.commands.stream().skip(before)
                    .anyMatch(c -> c.contains("temp-hold")));
            Path file = q.delete(gone.id(), "deleted by administrator").orElseThrow();
            assertThat(Files.exists(file)).isTrue();
            Path bdr = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.bad$", ".bdr"));
            assertThat(Files.readString(bdr)).contains("deleted by administrator");
            assertThat(q.entry(gone.id())).isEmpty();
            assertThat(s.server().spool().entries()).extracting(SpoolEntry::id).doesNotContain(gone.id());
            assertThat(q.delete(gone.id(), "again")).isEmpty();
        }
    }
}
