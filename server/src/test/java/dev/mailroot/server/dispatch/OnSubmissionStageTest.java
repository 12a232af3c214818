package dev.mailroot.server.dispatch;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OnSubmissionStageTest {

    @TempDir
    Path home;

    private static final String MESSAGE = "From: alice@example.org\r\nTo: bob@localhost\r\nSubject: stage test\r\n\r\nthe body\r\n";

    /** What a sink saw, copied out of the submission during the call. */
    record Seen(String id, Source source, String from, List<String> rcpts, String helo, String client,
                Instant arrival, boolean hasPickupName, String subject, String body, String mimeSubject,
                Map<String, String> props) {
    }

    private static String send(TestServer server, String from, List<String> rcpts, String message) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO sender.example");
            String reply = smtp.sendMail(from, rcpts, message);
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    @Test
    void aSinkSeesTheEnvelopeAndCanRewriteRecipientsSenderAndHeaders() throws Exception {
        AtomicReference<Seen> seen = new AtomicReference<>();
        BoundSink rewrite = TestSinks.bound("rewrite", 100, Map.of("target", "carol@localhost"), (s, ctx) -> {
            try (InputStream body = s.body()) {
                seen.set(new Seen(s.id(), s.source(), s.envelope().mailFrom(), s.envelope().recipients(),
                        s.envelope().helo().orElse(null), s.envelope().clientAddress().orElse(null),
                        s.envelope().arrivalTime(), s.envelope().pickupFileName().isPresent(),
                        s.headers().first("subject").orElse(null), new String(body.readAllBytes(), StandardCharsets.UTF_8),
                        s.mimeMessage().getSubject(), ctx.properties()));
            }
            s.envelope().replaceRecipient("BOB@localhost", ctx.properties().get("target"));
            s.envelope().setMailFrom("rewritten@example.org");
            s.headers().add("X-Stamp", "seen by " + ctx.bindingName());
            s.headers().set("Subject", "rewritten subject");
            return SinkStatus.RUN_NEXT_SINK;
        });
        Instant before = Instant.now().minusSeconds(1);
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(rewrite))) {
            String id = send(server, "alice@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("carol").size() == 1);
            assertThat(server.newMail("bob")).isEmpty();

            Seen s = seen.get();
            assertThat(s.id()).isEqualTo(id);
            assertThat(s.source()).isEqualTo(Source.SMTP);
            assertThat(s.from()).isEqualTo("alice@example.org");
            assertThat(s.rcpts()).containsExactly("bob@localhost");
            assertThat(s.helo()).isEqualTo("sender.example");
            assertThat(s.client()).isEqualTo("127.0.0.1");
            assertThat(s.arrival()).isAfter(before).isBefore(Instant.now());
            assertThat(s.hasPickupName()).isFalse();
            assertThat(s.subject()).isEqualTo("stage test");
            assertThat(s.mimeSubject()).isEqualTo("stage test");
            assertThat(s.body()).isEqualTo("the body\r\n");
            assertThat(s.props()).containsEntry("target", "carol@localhost");

            String copy = Files.readString(server.newMail("carol").get(0));
            assertThat(copy).startsWith("Return-Path: <rewritten@example.org>\r\nDelivered-To: carol@localhost\r\n");
            assertThat(copy).contains("\r\nSubject: rewritten subject\r\n").doesNotContain("stage test");
            assertThat(copy).endsWith("\r\nX-Stamp: seen by rewrite\r\n\r\nthe body\r\n");
        }
    }

    @Test
    void sinksRunInTheOrderGivenAndSkipRemainingSinksEndsTheChain() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        BoundSink first = TestSinks.bound("first", 10, (s, c) -> { calls.add("first"); return SinkStatus.RUN_NEXT_SINK; });
        BoundSink second = TestSinks.bound("second", 20, (s, c) -> { calls.add("second"); return SinkStatus.SKIP_REMAINING_SINKS; });
        BoundSink third = TestSinks.bound("third", 30, (s, c) -> { calls.add("third"); return SinkStatus.RUN_NEXT_SINK; });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(third, second, first))) {
            send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(calls).containsExactly("first", "second");
        }
    }

    @Test
    void aSinkCanSendTheMessageToBadmailWithAReason() throws Exception {
        BoundSink quarantine = TestSinks.bound("quarantine", 5, (s, c) -> {
            s.setFate(Fate.badmail("looks like spam"));
            return SinkStatus.RUN_NEXT_SINK;
        });
        BoundSink after = TestSinks.bound("after", 6, (s, c) -> { throw new AssertionError("must not run"); });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(quarantine, after))) {
            String id = send(server, "alice@example.org", List.of("bob@localhost", "carol@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.badmail().size() == 2);
            Path bad = home.resolve("mailroot/badmail/" + id + ".bad");
            Path bdr = home.resolve("mailroot/badmail/" + id + ".bdr");
            assertThat(Files.readString(bad)).startsWith("x-sender: alice@example.org\r\nx-receiver: bob@localhost\r\n"
                    + "x-receiver: carol@localhost\r\nReceived: ").endsWith(MESSAGE);
            String reason = Files.readString(bdr);
            assertThat(reason).contains("Message id:  " + id, "looks like spam", "'quarantine'", "<alice@example.org>",
                    "<bob@localhost>, <carol@localhost>", "via smtp from [127.0.0.1] helo=sender.example", "pickup");
            assertThat(server.newMail("bob")).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
        }
    }

    @Test
    void abortDeliveryDropsTheMessageAndLogsTheBindingThatDidIt() throws Exception {
        BoundSink drop = TestSinks.bound("dropper", 1, (s, c) -> {
            s.setFate(Fate.abortDelivery("unwanted"));
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "", TestSinks.chain(drop))) {
            String id = send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR2002").isEmpty());
            ILoggingEvent e = logs.containing("MR2002").get(0);
            assertThat(e.getFormattedMessage()).contains("'dropper'", "unwanted");
            assertThat(e.getMDCPropertyMap()).containsEntry("msgId", id);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(server.badmail()).isEmpty();
        }
    }

    @Test
    void aSinkThatThrowsIsLoggedAndTheMessageIsStillDelivered() throws Exception {
        BoundSink broken = TestSinks.bound("broken", 1, (s, c) -> { throw new IllegalStateException("boom"); });
        BoundSink next = TestSinks.bound("next", 2, (s, c) -> {
            s.headers().add("X-Next", "ran");
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "", TestSinks.chain(broken, next))) {
            send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0))).contains("X-Next: ran");
            assertThat(logs.containing("MR2001")).singleElement().satisfies(e ->
                    assertThat(e.getFormattedMessage()).contains("'broken'", "boom"));
        }
    }

    @Test
    void removingEveryRecipientSendsTheMessageToBadmailRatherThanLosingIt() throws Exception {
        BoundSink empty = TestSinks.bound("emptier", 1, (s, c) -> {
            s.envelope().setRecipients(List.of());
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(empty))) {
            String id = send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.badmail().size() == 2);
            assertThat(Files.readString(home.resolve("mailroot/badmail/" + id + ".bdr"))).contains("no recipients left");
        }
    }

    @Test
    void aRecipientOutsideTheLocalDomainsAddedByASinkGoesToTheOutboundQueueAndTheOthersAreDelivered() throws Exception {
        BoundSink forward = TestSinks.bound("forward", 1, (s, c) -> {
            s.envelope().addRecipient("someone@elsewhere.example");
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(forward))) {
            String id = send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            // a sink is the administrator's code: what it adds is sent on, as mail from pickup is
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1
                    && server.server().outbound().entry(id).isPresent());
            assertThat(server.server().outbound().entry(id).orElseThrow().envelope().recipients())
                    .containsExactly("someone@elsewhere.example");
            assertThat(server.badmail()).isEmpty();
        }
    }

    @Test
    void invalidChangesAreRefusedToTheSinkAndLeaveTheMessageIntact() throws Exception {
        List<String> refusals = new CopyOnWriteArrayList<>();
        BoundSink careless = TestSinks.bound("careless", 1, (Submission s, dev.mailroot.sink.SinkContext c) -> {
            for (Runnable r : List.<Runnable>of(
                    () -> s.headers().add("Bad Name", "x"),
                    () -> s.headers().add("X-Injected", "a\r\nBcc: victim@example.org"),
                    () -> s.envelope().addRecipient("two words@localhost"),
                    () -> s.envelope().addRecipient("<bracketed@localhost>"),
                    () -> s.envelope().setMailFrom(null))) {
                try {
                    r.run();
                } catch (IllegalArgumentException e) {
                    refusals.add(e.getMessage());
                }
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(careless))) {
            send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(refusals).hasSize(5);
            assertThat(Files.readString(server.newMail("bob").get(0))).doesNotContain("Bcc", "X-Injected").endsWith(MESSAGE);
        }
    }

    @Test
    void everyLogLineAboutAMessageCarriesItsId() throws Exception {
        BoundSink logging = TestSinks.bound("logging", 1, (s, c) -> {
            c.logger().info("sink says hello");
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "", TestSinks.chain(logging))) {
            String id = send(server, "a@example.org", List.of("bob@localhost"), MESSAGE);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            List<ILoggingEvent> about = logs.events().stream()
                    .filter(e -> e.getFormattedMessage().startsWith("MR1001") || e.getFormattedMessage().startsWith("MR3001")
                            || e.getFormattedMessage().contains("sink says hello"))
                    .toList();
            assertThat(about).hasSize(3).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("msgId", id));
            assertThat(logs.containing("sink says hello").get(0).getMDCPropertyMap()).containsEntry("binding", "logging");
        }
    }
}
