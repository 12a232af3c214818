package dev.mailroot.server.directory;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.Main;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The mailbox directory and the delivery stage in a running server, over real SMTP and pickup. */
class MailboxDirectoryTest {
    private static final String CONFIG = "domains: [localhost, second.test]\npickup: {settleMillis: 100, rescanSeconds: 1}\n"
            + "mailboxes: {lineEnding: lf}\n";
    private static final String DIRECTORY = """
            mailboxes:
              carol:
                displayName: Carol Smith
                aliases: [c.smith, carol@second.test]
              bob:
                forwardTo: [carol]
                keepCopy: false
              dave:
                forwardTo: [carol, someone@elsewhere.example]
                keepCopy: true
              erin:
                enabled: false
              frank:
                quota: {messages: 1}
              gail:
                quota: {size: 4000, warnPercent: 50}
            groups:
              team: [carol, dave]
            catchAll:
              second.test: frank
            """;

    @TempDir
    Path home;

    private TestServer start(String directory) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        if (directory != null) {
            Files.writeString(home.resolve("conf/mailboxes.yaml"), directory);
        }
        return TestServer.start(home, CONFIG, SinkChain.EMPTY);
    }

    private static String send(TestServer server, String rcpt, String content) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            return smtp.sendMail("a@example.org", List.of(rcpt), content);
        }
    }

    private static String rcpt(TestServer server, String rcpt) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            smtp.send("MAIL FROM:<a@example.org>");
            return smtp.send("RCPT TO:<" + rcpt + ">");
        }
    }

    private static String delivered(TestServer server, String box, int count) throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> server.newMail(box).size() >= count);
        return Files.readString(server.newMail(box).get(count - 1));
    }

    private void pickup(String name, String text) throws Exception {
        Path tmp = home.resolve("mailroot/pickup/." + name);
        Files.writeString(tmp, text);
        Files.move(tmp, home.resolve("mailroot/pickup/" + name), StandardCopyOption.ATOMIC_MOVE);
    }

    private List<String> badmailReasons() throws Exception {
        Path dir = home.resolve("mailroot/badmail");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".bdr")).sorted().map(p -> {
                try {
                    return Files.readString(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }).toList();
        }
    }

    /** {@code bin/mailroot} in-process: the exit code, a newline, then stdout and stderr. */
    private String cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--home";
        all[args.length + 1] = home.toString();
        return cl.execute(all) + "\n" + out;
    }

    @Test
    void aliasesGroupsCatchAllAndPostmasterReachTheirMailboxesAndUnknownOrDisabledAreRefusedAtRcpt() throws Exception {
        try (TestServer server = start(DIRECTORY)) {
            assertThat(send(server, "c.smith@localhost", "Subject: alias\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "carol", 1)).contains("Delivered-To: c.smith@localhost", "Subject: alias");
            assertThat(send(server, "carol@second.test", "Subject: other domain\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "carol", 2)).contains("Subject: other domain");
            assertThat(send(server, "anyone@second.test", "Subject: catch-all\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "frank", 1)).contains("Subject: catch-all");
            assertThat(send(server, "postmaster@localhost", "Subject: pm\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "postmaster", 1)).contains("Subject: pm");
            assertThat(rcpt(server, "nobody@localhost")).startsWith("550 5.1.1 <nobody@localhost>");
            assertThat(rcpt(server, "erin@localhost")).startsWith("550 5.2.1 <erin@localhost>: Mailbox disabled");
            // a group: carol and dave; dave also forwards to carol (one copy each) and to a remote address
            assertThat(send(server, "team@localhost", "Subject: team\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "carol", 3)).contains("Subject: team");
            assertThat(delivered(server, "dave", 1)).contains("Subject: team");
            // the remote forwarding target waits in the outbound queue (the test's DNS is not there: deferred)
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().recipients().contains("someone@elsewhere.example")
                            && e.envelope().outbound().recipients().get(0).attempts() > 0));
            assertThat(badmailReasons()).isEmpty();
            Thread.sleep(300);
            assertThat(server.newMail("carol")).hasSize(3);
        }
    }

    @Test
    void forwardingWithoutACopyLeavesNothingBehindAndWithACopyKeepsOne() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = start(DIRECTORY)) {
            assertThat(send(server, "bob@localhost", "Subject: for bob\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "carol", 1)).contains("Subject: for bob", "Delivered-To: carol@localhost");
            assertThat(send(server, "dave@localhost", "Subject: for dave\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "dave", 1)).contains("Subject: for dave");
            assertThat(delivered(server, "carol", 2)).contains("Subject: for dave");
            assertThat(server.newMail("bob")).isEmpty();
            // the log line of the copy says how it got there
            assertThat(logs.containing("MR3001")).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("mailbox=carol", "via bob@localhost → forwarded by bob → carol"));
        }
    }

    @Test
    void aFullMailboxIsRefusedAtRcptOverSmtpAndSpooledMailWaitsForIt() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = start(DIRECTORY)) {
            assertThat(send(server, "frank@localhost", "Subject: one\r\n\r\nx\r\n")).startsWith("250");
            delivered(server, "frank", 1);
            assertThat(rcpt(server, "frank@localhost")).isEqualTo("452 4.2.2 <frank@localhost>: Mailbox full, try again later");
            pickup("wait.eml", "x-sender: a@example.org\r\nx-receiver: frank@localhost\r\nSubject: two\r\n\r\nx\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR3105").isEmpty());
            assertThat(server.server().spool().size()).isEqualTo(1);
            assertThat(server.newMail("frank")).hasSize(1);
            Files.list(home.resolve("mailroot/mailboxes/frank/Maildir/new")).forEach(p -> p.toFile().delete());
            Files.deleteIfExists(home.resolve("mailroot/mailboxes/frank/Maildir/maildirsize"));
            // room again: the waiting message is delivered at its next try (the first back-off is 30 s)
            await().atMost(Duration.ofSeconds(60)).until(() -> server.newMail("frank").size() == 1
                    && Files.readString(server.newMail("frank").get(0)).contains("Subject: two"));
        }
    }

    @Test
    void mailIsStoredWithLfLineEndsOneReturnPathAndItsSizeInTheName() throws Exception {
        try (TestServer server = start(DIRECTORY)) {
            pickup("rp.eml", "x-sender: a@example.org\r\nx-receiver: carol@localhost\r\nReturn-Path: <old@example.net>\r\n"
                    + "Subject: lf\r\n\r\nline one\r\nline two\r\n");
            String text = delivered(server, "carol", 1);
            assertThat(text).doesNotContain("\r").contains("Return-Path: <a@example.org>\nDelivered-To: carol@localhost\n",
                    "line one\nline two\n").doesNotContain("old@example.net");
            Path file = server.newMail("carol").get(0);
            assertThat(file.getFileName().toString()).endsWith(",S=" + Files.size(file));
            assertThat(home.resolve("mailroot/mailboxes/carol/Maildir/maildirsize")).doesNotExist(); // no quota, no bookkeeping
        }
    }

    @Test
    void aMessageThatAlreadyWentThroughAMailboxIsALoop() throws Exception {
        try (TestServer server = start(DIRECTORY)) {
            pickup("loop.eml", "x-sender: a@example.org\r\nx-receiver: carol@localhost\r\nDelivered-To: carol@localhost\r\n"
                    + "Subject: looped\r\n\r\nx\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !badmailReasons().isEmpty());
            assertThat(badmailReasons().get(0)).contains("mail loop", "Delivered-To: carol@localhost");
            assertThat(server.newMail("carol")).isEmpty();
        }
    }

    @Test
    void theWarningLevelGivesOneNoticeADay() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = start(DIRECTORY)) {
            String big = "Subject: big\r\n\r\n" + "y".repeat(2200) + "\r\n";
            assertThat(send(server, "gail@localhost", big)).startsWith("250");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("gail").size() == 2);
            assertThat(server.newMail("gail").stream().map(p -> {
                try {
                    return Files.readString(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            })).anySatisfy(t -> assertThat(t).contains("Subject: Your mailbox is almost full", "Auto-Submitted: auto-generated"));
            assertThat(logs.containing("MR3106")).hasSize(1);
            assertThat(rcpt(server, "gail@localhost")).startsWith("250"); // at the warning level, not full
        }
    }

    @Test
    void theMailboxCommandEditsTheDirectoryWhileTheServerRunsAndShowAnswersTheKbQuestions() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = start(null)) {
            assertThat(cli("mailbox", "list")).startsWith("0\nno directory:");
            assertThat(rcpt(server, "anybody@localhost")).startsWith("250"); // no directory: every local part
            assertThat(cli("mailbox", "add", "carol", "--alias", "c.smith", "--quota-size", "200000 KB"))
                    .startsWith("0\nadded mailbox carol (created ");
            assertThat(cli("mailbox", "add", "carol")).startsWith("1\nmailroot: mailbox 'carol' exists already");
            assertThat(cli("mailbox", "add", "../etc")).startsWith("2\nmailroot: '../etc' cannot be a mailbox name");
            assertThat(cli("mailbox", "add", "bob", "--forward-to", "carol")).startsWith("0\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> rcpt(server, "anybody@localhost").startsWith("550 5.1.1"));
            assertThat(rcpt(server, "c.smith@localhost")).startsWith("250");
            String show = cli("mailbox", "show", "bob");
            assertThat(show).startsWith("0\n").contains("Forwarding:    to carol, WITHOUT keeping a copy here");
            assertThat(cli("mailbox", "show", "carol")).contains("Addresses:     carol@localhost, carol@second.test, c.smith@localhost",
                    "Quota:         0 bytes in 0 messages used; limit 195.3 MB, warning at 90 %");
            assertThat(cli("mailbox", "show", "carol", "--json")).contains("\"limitBytes\":204800000");
            assertThat(cli("mailbox", "set", "bob", "--keep-copy", "true")).startsWith("0\nchanged mailbox bob: forwarding to [carol] with a copy");
            assertThat(cli("mailbox", "show", "nobody")).startsWith("1\nmailroot: no mailbox 'nobody'");
            assertThat(cli("mailbox", "remove", "bob")).startsWith("0\nremoved mailbox bob");
            await().atMost(Duration.ofSeconds(5)).until(() -> rcpt(server, "bob@localhost").startsWith("550 5.1.1"));
            java.io.InputStream stdin = System.in;
            try {
                System.setIn(new java.io.ByteArrayInputStream("correct horse battery\n".getBytes()));
                assertThat(cli("mailbox", "passwd", "carol")).startsWith("0\npassword of mailbox carol set");
                System.setIn(new java.io.ByteArrayInputStream("short\n".getBytes()));
                assertThat(cli("mailbox", "passwd", "carol")).startsWith("2\nmailroot: a password needs at least 8 characters");
            } finally {
                System.setIn(stdin);
            }
            assertThat(Files.readString(home.resolve("conf/mailboxes.yaml"))).contains("password: $2a$12$")
                    .doesNotContain("correct horse");
            // a hand edit with a problem: reported with its line, and the last good directory stays in force
            Files.writeString(home.resolve("conf/mailboxes.yaml"), "mailboxes:\n  carol: {quota: {size: lots}}\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.containing("MR3102").stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("mailboxes.carol (line 2): quota: 'lots' is not a size")));
            assertThat(rcpt(server, "c.smith@localhost")).startsWith("250");
            assertThat(rcpt(server, "anybody@localhost")).startsWith("550 5.1.1");
        }
    }

    @Test
    void sieveFilesIntoAFolderAnswersOncePerSenderAndABrokenScriptKeepsTheMail() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = start(DIRECTORY)) {
            Path script = home.resolve("carol.sieve");
            Files.writeString(script, """
                    require ["fileinto", "vacation"];
                    if header :contains "Subject" "report" { fileinto "Work/Reports"; stop; }
                    vacation :days 7 :subject "Away" "I am away until Monday.";
                    """);
            assertThat(cli("mailbox", "set", "carol", "--sieve", script.toString())).startsWith("0\ninstalled the Sieve script");
            Path broken = home.resolve("broken.sieve");
            Files.writeString(broken, "require \"fileinto\";\nif true {\n  filein \"X\";\n}\n");
            assertThat(cli("mailbox", "set", "dave", "--sieve", broken.toString())).startsWith("1\nmailroot: ")
                    .contains("line 3", "not installed");
            assertThat(send(server, "carol@localhost", "Subject: weekly report\r\nTo: carol@localhost\r\n\r\nx\r\n")).startsWith("250");
            Path folder = home.resolve("mailroot/mailboxes/carol/Maildir/.Work.Reports/new");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.isDirectory(folder) && Files.list(folder).count() == 1);
            assertThat(home.resolve("mailroot/mailboxes/carol/Maildir/.Work.Reports/maildirfolder")).exists();
            assertThat(server.newMail("carol")).isEmpty();
            // a local sender gets one vacation reply per period, however often it writes
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO client.test");
                for (int i = 0; i < 2; i++) {
                    assertThat(smtp.sendMail("gail@localhost", List.of("carol@localhost"),
                            "From: gail@localhost\r\nTo: carol@localhost\r\nSubject: hi " + i + "\r\n\r\nx\r\n")).startsWith("250");
                }
            }
            String reply = delivered(server, "gail", 1);
            assertThat(reply).contains("Subject: Away", "Auto-Submitted: auto-replied", "I am away until Monday.");
            Thread.sleep(1000);
            assertThat(server.newMail("gail")).hasSize(1);
            assertThat(delivered(server, "carol", 2)).contains("Subject: hi 1");
            // a script broken by hand on disk: the mail is kept, never lost
            Files.writeString(home.resolve("sieve/carol.sieve"), "if true { discard\n");
            assertThat(send(server, "carol@localhost", "Subject: still here\r\n\r\nx\r\n")).startsWith("250");
            assertThat(delivered(server, "carol", 3)).contains("Subject: still here");
            assertThat(logs.containing("MR3107")).isNotEmpty();
            assertThat(cli("mailbox", "show", "carol")).contains("DOES NOT COMPILE");
        }
    }
}
