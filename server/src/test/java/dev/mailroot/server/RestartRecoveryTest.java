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

    private static dev.mailroot.server.spool.SpoolEntry spooled(Spool spool, String id, String rcpt) throws Exception {
        dev.mailroot.server.spool.MessageBuffer b = spool.newBuffer(id);
        b.write(("Subject: for " + rcpt + "\r\n\r\nbody\r\n").getBytes());
        return spool.submit(id, new dev.mailroot.server.spool.SpoolEnvelope("a@example.org", List.of(rcpt), "c", "127.0.0.1",
                java.time.Instant.now(), dev.mailroot.sink.Source.SMTP, null), b);
    }

    @Test
    void messagesInASinkCallWhenTheProcessDiedRunAloneBeforeAllOthersAndTwiceMakesPoison() throws Exception {
        // the spool as a process that died in sink calls leaves it: A once, B twice, C never
        dev.mailroot.server.spool.BindingRef x = new dev.mailroot.server.spool.BindingRef("{00000000-0000-0000-0000-0000000000AA}", "x");
        Path queue = home.resolve("mailroot/queue");
        try (Spool spool = Spool.open(queue, Spool.Options.defaults())) {
            spool.beginCall(spooled(spool, "A0000000000AA", "suspect@localhost"), x, true);
            spool.beginCall(spooled(spool, "B0000000000BB", "poison@localhost"), x, true);
            spooled(spool, "C0000000000CC", "innocent@localhost");
            spool.close(false);
        }
        try (Spool spool = Spool.open(queue, Spool.Options.defaults())) {
            spool.beginCall(spool.recovered().get(1), x, true);
            spool.close(false);
        }
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnceWithTheSuspect = new AtomicInteger();
        BoundSink watcher = TestSinks.bound("x", 1, (s, c) -> {
            int now = running.incrementAndGet();
            String rcpt = s.envelope().recipients().get(0);
            if (rcpt.startsWith("suspect")) {
                Thread.sleep(300); // long enough for anything else that could run to start meanwhile
                mostAtOnceWithTheSuspect.set(Math.max(now, running.get()));
            }
            order.add(rcpt);
            running.decrementAndGet();
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, "", TestSinks.chain(watcher))) {
            send(server, "new@localhost", "arrives during probation");
            await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 3);
            assertThat(order.get(0)).isEqualTo("suspect@localhost");
            assertThat(order).containsExactlyInAnyOrder("suspect@localhost", "innocent@localhost", "new@localhost");
            assertThat(mostAtOnceWithTheSuspect.get()).as("the suspect ran alone").isEqualTo(1);
            assertThat(home.resolve("mailroot/poison/B0000000000BB.bad")).exists();
            assertThat(Files.readString(home.resolve("mailroot/poison/B0000000000BB.bdr"))).contains("'x' " + x.id(), "died 2 times");
            assertThat(logs.containing("MR2007")).singleElement().satisfies(e -> assertThat(e.getMDCPropertyMap()).containsEntry("msgId", "A0000000000AA"));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().spool().size() == 0);
            assertThat(server.newMail("poison")).isEmpty();
        }
    }

    @Test
    void aSuspectMessageRunsItsSinksAloneAlsoWhenItComesBackFromARetryAfterStartUp() throws Exception {
        dev.mailroot.server.spool.BindingRef x = new dev.mailroot.server.spool.BindingRef("{00000000-0000-0000-0000-0000000000AA}", "x");
        Path queue = home.resolve("mailroot/queue");
        try (Spool spool = Spool.open(queue, Spool.Options.defaults())) {
            spool.beginCall(spooled(spool, "A0000000000AA", "suspect@localhost"), x, true);
            spool.close(false);
        }
        CountDownLatch slowRunning = new CountDownLatch(1);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnceWithTheSuspect = new AtomicInteger();
        BoundSink watcher = TestSinks.bound("x", 1, (s, c) -> {
            int now = running.incrementAndGet();
            try {
                String rcpt = s.envelope().recipients().get(0);
                if (rcpt.startsWith("slow")) {
                    slowRunning.countDown();
                    releaseSlow.await(10, TimeUnit.SECONDS);
                } else if (rcpt.startsWith("suspect")) {
                    mostAtOnceWithTheSuspect.set(Math.max(now, running.get()));
                }
                return SinkStatus.RUN_NEXT_SINK;
            } finally {
                running.decrementAndGet();
            }
        });
        // the suspect's first pass waits for a missing sink (onMissing: tempfail), so it is retried after the start
        dev.mailroot.bindings.Binding guard = new dev.mailroot.bindings.Binding("{00000000-0000-0000-0000-0000000000BB}", "guard",
                "OnSubmission", "absent.Sink", true, null, 1, java.util.Map.of("onMissing", "tempfail"));
        java.util.concurrent.atomic.AtomicBoolean deferred = new java.util.concurrent.atomic.AtomicBoolean();
        SinkChain chain = s -> s.id().equals("A0000000000AA") && deferred.compareAndSet(false, true)
                ? List.of(BoundSink.missing(guard)) : List.of(watcher);
        try (TestServer server = TestServer.start(home, "", chain)) {
            await().atMost(Duration.ofSeconds(10)).until(deferred::get);
            send(server, "slow@localhost", "holds its sink");
            assertThat(slowRunning.await(10, TimeUnit.SECONDS)).isTrue();
            server.server().queue().sinksChanged(); // the retry comes now, while slow's sink runs
            // while slow's sink runs, the suspect does not run beside it
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> mostAtOnceWithTheSuspect.get() == 0);
            releaseSlow.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("suspect").size() == 1);
            assertThat(mostAtOnceWithTheSuspect.get()).as("the suspect ran its sinks alone").isEqualTo(1);
        }
    }
}
