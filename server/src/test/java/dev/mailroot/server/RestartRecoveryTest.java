package dev.mailroot.server;

import dev.mailroot.server.dispatch.BoundSink;
import dev.mailroot.server.dispatch.SinkChain;
import dev.mailroot.server.dispatch.TestSinks;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.sink.SinkStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RestartRecoveryTest {

    @TempDir
    Path home;

    private static void send(TestServer server, String rcpt, String subject) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.sendMail("a@example.org", List.of(rcpt), "Subject: " + subject + "\r\n\r\nbody\r\n"))
                    .startsWith("250 2.0.0");
        }
    }

    @Test
    void aMessageLeftInTheSpoolByAStoppedServerIsDeliveredOnTheNextStart() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BoundSink stuck = TestSinks.bound("stuck", 1, (s, c) -> {
            entered.countDown();
            release.await();
            return SinkStatus.RUN_NEXT_SINK;
        });
        TestServer first = TestServer.start(home, "shutdownGraceSeconds: 1", TestSinks.chain(stuck));
        try {
            send(first, "bob@localhost", "survives a restart");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.server().spool().size()).isEqualTo(1);
        } finally {
            first.close(); // the sink is still running when the grace runs out: the message stays spooled
            release.countDown();
        }
        assertThat(first.newMail("bob")).isEmpty();

        try (TestServer second = TestServer.start(home)) {
            assertThat(second.server().spool().recovered()).hasSize(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> second.newMail("bob").size() == 1);
            assertThat(Files.readString(second.newMail("bob").get(0))).contains("Subject: survives a restart");
            await().atMost(Duration.ofSeconds(5)).until(() -> second.server().spool().size() == 0);
        }
        try (TestServer third = TestServer.start(home)) {
            assertThat(third.server().spool().recovered()).isEmpty();
            assertThat(third.newMail("bob")).hasSize(1);
        }
    }

    @Test
    void changesMadeBySinksAreDurableSoAResumedMessageIsNotProcessedByThemAgain() throws Exception {
        // carol's mailbox folder is blocked by a file: delivery fails for now and is retried later
        Files.createDirectories(home.resolve("mailroot/mailboxes"));
        Files.writeString(home.resolve("mailroot/mailboxes/carol"), "not a folder");
        BoundSink rewrite = TestSinks.bound("rewrite", 1, (s, c) -> {
            s.envelope().replaceRecipient("bob@localhost", "carol@localhost");
            s.headers().add("X-Rewritten", "once");
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture();
             TestServer first = TestServer.start(home, "", TestSinks.chain(rewrite))) {
            send(first, "bob@localhost", "rewritten before delivery");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("will be retried").isEmpty());
        }
        Files.delete(home.resolve("mailroot/mailboxes/carol"));

        AtomicInteger sinkCalls = new AtomicInteger();
        SinkChain counting = TestSinks.chain(TestSinks.bound("counting", 1, (s, c) -> {
            sinkCalls.incrementAndGet();
            return SinkStatus.RUN_NEXT_SINK;
        }));
        try (TestServer second = TestServer.start(home, "", counting)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> second.newMail("carol").size() == 1);
            String copy = Files.readString(second.newMail("carol").get(0));
            assertThat(copy).contains("Delivered-To: carol@localhost", "X-Rewritten: once", "Subject: rewritten before delivery");
            assertThat(second.newMail("bob")).isEmpty();
            assertThat(sinkCalls).hasValue(0);
        }
    }

    @Test
    void sinksThatChangedNothingAreNotRunAgainWhenDeliveryIsRetried() throws Exception {
        // dave's mailbox folder is blocked by a file: delivery fails for now and waits for a retry
        Files.createDirectories(home.resolve("mailroot/mailboxes"));
        Files.writeString(home.resolve("mailroot/mailboxes/dave"), "not a folder");
        AtomicInteger firstCalls = new AtomicInteger();
        SinkChain lookOnly = TestSinks.chain(TestSinks.bound("look-only", 1, (s, c) -> {
            firstCalls.incrementAndGet();
            return SinkStatus.RUN_NEXT_SINK;
        }));
        try (LogCapture logs = new LogCapture();
             TestServer first = TestServer.start(home, "", lookOnly)) {
            send(first, "dave@localhost", "looked at once");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("will be retried").isEmpty());
        }
        assertThat(firstCalls).hasValue(1);
        Files.delete(home.resolve("mailroot/mailboxes/dave"));

        AtomicInteger secondCalls = new AtomicInteger();
        SinkChain counting = TestSinks.chain(TestSinks.bound("look-only", 1, (s, c) -> {
            secondCalls.incrementAndGet();
            return SinkStatus.RUN_NEXT_SINK;
        }));
        try (TestServer second = TestServer.start(home, "", counting)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> second.newMail("dave").size() == 1);
            assertThat(Files.readString(second.newMail("dave").get(0))).contains("Subject: looked at once");
            assertThat(secondCalls).as("the retry delivers without running the sinks again").hasValue(0);
        }
    }

    @Test
    void aSecondServerOnTheSameHomeIsRefused() throws Exception {
        try (TestServer first = TestServer.start(home)) {
            assertThatThrownBy(() -> TestServer.start(home))
                    .isInstanceOf(Spool.LockedException.class)
                    .hasMessageContaining("another Mailroot server is using");
            send(first, "bob@localhost", "still served");
            await().atMost(Duration.ofSeconds(10)).until(() -> first.newMail("bob").size() == 1);
        }
    }
}
