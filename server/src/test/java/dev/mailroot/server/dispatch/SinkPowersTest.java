package dev.mailroot.server.dispatch;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.MailLoopException;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The sink powers of the second framework version, over real SMTP into a real spool and Maildirs. */
class SinkPowersTest {

    @TempDir
    Path home;

    private static final Note<String> VERDICT = Note.of("test.verdict", String.class);
    private static final Note<Integer> SEEN = Note.of("test.seen", Integer.class);

    private static String send(TestServer server, List<String> rcpts, String message) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO sender.example");
            String reply = smtp.sendMail("alice@example.org", rcpts, message);
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    private static String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aSinkDefersWhileItsBackendIsDownAndTheMessageGoesOnWhenItIsBack() throws Exception {
        AtomicBoolean backendUp = new AtomicBoolean();
        AtomicInteger earlier = new AtomicInteger();
        AtomicInteger scans = new AtomicInteger();
        BoundSink tagger = TestSinks.bound("tagger", 10, (s, ctx) -> {
            earlier.incrementAndGet();
            s.headers().add("X-Tagged", "once");
            s.notes().put(VERDICT, "tagged");
            return SinkStatus.RUN_NEXT_SINK;
        });
        BoundSink scanner = TestSinks.bound("scanner", 20, (s, ctx) -> {
            scans.incrementAndGet();
            if (!backendUp.get()) {
                s.headers().add("X-Scanner-Was-Here", "while deferring"); // undone by the defer
                s.setFate(Fate.defer("virus scanner at 127.0.0.1:3310 refused the connection", Duration.ofMillis(200)));
                return SinkStatus.RUN_NEXT_SINK;
            }
            s.headers().set("X-Scan", "clean; " + s.notes().get(VERDICT).orElse("no note"));
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "", TestSinks.chain(tagger, scanner))) {
            send(server, List.of("bob@localhost"), "Subject: scan me\r\n\r\nbody\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> scans.get() >= 3);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(server.server().spool().size()).isEqualTo(1);
            assertThat(logs.containing("MR2008")).isNotEmpty();

            backendUp.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            String mail = read(server.newMail("bob").get(0));
            // the binding before the deferring one ran once; its header and note were kept across the waits
            assertThat(earlier.get()).isEqualTo(1);
            assertThat(mail.split("X-Tagged: once", -1)).hasSize(2);
            assertThat(mail).contains("X-Scan: clean; tagged").doesNotContain("X-Scanner-Was-Here");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
        }
    }

    @Test
    void aFailingBindingWithOnErrorDeferKeepsTheMessageUntilItsSinkWorks() throws Exception {
        AtomicBoolean databaseUp = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        BoundSink lookup = TestSinks.bound("lookup", 10, Map.of("onError", "defer"), (s, ctx) -> {
            calls.incrementAndGet();
            if (!databaseUp.get()) {
                throw new java.io.IOException("connection refused: 127.0.0.1:5432");
            }
            s.headers().add("X-Looked-Up", "yes");
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(lookup))) {
            send(server, List.of("bob@localhost"), "Subject: look me up\r\n\r\nbody\r\n");
            // the first retry comes after the usual back-off (30 s): the test restarts the server instead
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> server.newMail("bob").isEmpty());
            assertThat(server.server().spool().size()).isEqualTo(1);
            assertThat(server.badmail()).isEmpty();
            databaseUp.set(true);
        }
        // the message stayed in the spool; the next start runs the binding again, and it works now
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(lookup))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(read(server.newMail("bob").get(0))).contains("X-Looked-Up: yes");
        }
    }

    @Test
    void aSinkDecidesTheFateOfSomeRecipientsOverSmtpAndTheOthersAreDelivered() throws Exception {
        AtomicReference<Map<String, RecipientFate>> laterSaw = new AtomicReference<>();
        AtomicReference<List<String>> laterRcpts = new AtomicReference<>();
        BoundSink matcher = TestSinks.bound("matcher", 10, (s, ctx) -> {
            assertThat(s.setRecipientFate("BOB@localhost", RecipientFate.reject("mailbox over quota"))).isTrue();
            s.setRecipientFate("carol@localhost", RecipientFate.drop("carol asked for no newsletters"));
            assertThat(s.setRecipientFate("nobody@localhost", RecipientFate.drop("not a recipient"))).isFalse();
            return SinkStatus.RUN_NEXT_SINK;
        });
        BoundSink later = TestSinks.bound("later", 20, (s, ctx) -> {
            laterSaw.set(s.recipientFates());
            laterRcpts.set(s.envelope().recipients());
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(matcher, later))) {
            String id = send(server, List.of("dave@localhost", "bob@localhost", "carol@localhost"),
                    "Subject: newsletter\r\n\r\nnews\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("dave").size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(server.newMail("carol")).isEmpty();
            assertThat(laterRcpts.get()).containsExactly("dave@localhost");
            assertThat(laterSaw.get()).containsOnlyKeys("bob@localhost", "carol@localhost");
            assertThat(laterSaw.get().get("bob@localhost").kind()).isEqualTo(RecipientFate.Kind.REJECT);

            // the rejected recipient's copy is in badmail with the reason; the dropped one is nowhere
            List<Path> bad = server.badmail();
            Path bdr = bad.stream().filter(p -> p.toString().endsWith(".bdr")).findFirst().orElseThrow();
            Path copy = bad.stream().filter(p -> p.toString().endsWith(".bad")).findFirst().orElseThrow();
            assertThat(bdr.getFileName().toString()).startsWith(id);
            assertThat(read(bdr)).contains("bob@localhost", "reject by binding 'matcher'", "mailbox over quota")
                    .doesNotContain("carol@localhost");
            assertThat(read(copy)).startsWith("x-sender: alice@example.org").contains("x-receiver: bob@localhost")
                    .doesNotContain("x-receiver: carol");
        }
    }

    @Test
    void aSinkReplacesTheBodyStreamedAndAFailingSinksReplacementIsUndone() throws Exception {
        BoundSink disclaimer = TestSinks.bound("disclaimer", 10, (s, ctx) -> {
            try (InputStream in = s.body(); OutputStream out = s.replaceBody()) {
                in.transferTo(out);
                out.write("-- \r\nThis message is confidential.\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            s.headers().add("X-Disclaimer", "added");
            return SinkStatus.RUN_NEXT_SINK;
        });
        BoundSink broken = TestSinks.bound("broken", 20, (s, ctx) -> {
            try (OutputStream out = s.replaceMessage()) {
                out.write("Subject: garbage\r\n\r\nnothing\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            throw new IllegalStateException("the archive is down");
        });
        AtomicReference<String> whole = new AtomicReference<>();
        BoundSink reader = TestSinks.bound("reader", 30, (s, ctx) -> {
            try (InputStream in = s.content()) {
                whole.set(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(disclaimer, broken, reader))) {
            send(server, List.of("bob@localhost"), "Subject: quarterly figures\r\n\r\nthe figures\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            String mail = read(server.newMail("bob").get(0));
            assertThat(mail).contains("Subject: quarterly figures", "X-Disclaimer: added",
                    "\r\n\r\nthe figures\r\n-- \r\nThis message is confidential.\r\n").doesNotContain("garbage");
            assertThat(whole.get()).contains("X-Disclaimer: added", "This message is confidential.");
            // the replaced content's files leave with the message
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (var files = Files.list(server.home().queue())) {
                    return files.noneMatch(p -> p.getFileName().toString().matches(".*\\.r[0-9a-z]+\\.eml"));
                }
            });
        }
    }

    @Test
    void notesPassFromOneSinkToTheNextAndAreTypeChecked() throws Exception {
        AtomicReference<String> read = new AtomicReference<>();
        AtomicReference<String> mismatch = new AtomicReference<>();
        BoundSink first = TestSinks.bound("first", 10, (s, ctx) -> {
            s.notes().put(VERDICT, "spam score 1.5");
            s.notes().put(SEEN, 1);
            return SinkStatus.RUN_NEXT_SINK;
        });
        BoundSink second = TestSinks.bound("second", 20, (s, ctx) -> {
            read.set(s.notes().get(VERDICT).orElseThrow() + " / " + s.notes().get(SEEN).orElseThrow() + " / " + s.notes().names());
            try {
                s.notes().get(Note.of("test.seen", String.class));
            } catch (IllegalArgumentException e) {
                mismatch.set(e.getMessage());
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer server = TestServer.start(home, "", TestSinks.chain(first, second))) {
            send(server, List.of("bob@localhost"), "Subject: notes\r\n\r\nx\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(read.get()).isEqualTo("spam score 1.5 / 1 / [test.verdict, test.seen]");
            assertThat(mismatch.get()).contains("test.seen holds a Integer, not a String");
        }
    }

    @Test
    void aSinkSendsANotificationThatIsDeliveredAndANaiveSinkCannotLoop() throws Exception {
        List<String> sentIds = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        // naive: notifies the postmaster of every message, its own notifications included
        BoundSink notifier = TestSinks.bound("notifier", 10, (s, ctx) -> {
            String subject = s.headers().first("Subject").orElse("");
            try {
                sentIds.add(s.send("", List.of("postmaster@localhost"), out -> out.write(
                        ("From: mailroot@localhost\r\nSubject: notice: " + subject + "\r\n\r\nseen " + s.id() + "\r\n")
                                .getBytes(StandardCharsets.US_ASCII))));
            } catch (MailLoopException e) {
                refused.add(e.getMessage());
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        AtomicReference<Source> postmasterSource = new AtomicReference<>();
        BoundSink watcher = TestSinks.bound("watcher", 20, (s, ctx) -> {
            if (s.envelope().recipients().contains("postmaster@localhost")) {
                postmasterSource.set(s.source());
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "", TestSinks.chain(notifier, watcher))) {
            send(server, List.of("bob@localhost"), "Subject: hello\r\n\r\nx\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1
                    && server.newMail("postmaster").size() == 5 && refused.size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
            // generation 1 to 5 were sent; the sixth was refused as a loop, and nothing more is coming
            assertThat(sentIds).hasSize(5).doesNotHaveDuplicates();
            assertThat(refused.get(0)).contains("5 generations deep");
            assertThat(logs.containing("MR2010")).hasSize(1);
            assertThat(postmasterSource.get()).isEqualTo(Source.SINK);
            String first = server.newMail("postmaster").stream().map(p -> {
                try {
                    return read(p);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).filter(m -> m.contains("Subject: notice: hello")).findFirst().orElseThrow();
            // admitted as pickup mail is: a Received field, a Message-ID and a Date added
            assertThat(first).contains("Delivered-To: postmaster@localhost\r\nReceived: by ", "Message-ID: <", "Date: ", "(Mailroot sink binding 'notifier' {");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> server.newMail("postmaster").size() == 5);
        }
    }
}
