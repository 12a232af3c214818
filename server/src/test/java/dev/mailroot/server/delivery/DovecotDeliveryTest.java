package dev.mailroot.server.delivery;

import dev.mailroot.server.Main;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery stage with a real Dovecot (Debian's dovecot-lmtpd, started on loopback by
 * {@link LocalDovecot}): mail stored by LMTP with one outcome per recipient, and Maildir++ folders
 * that Mailroot's Sieve rules write, listed by {@code doveadm} as IMAP folders.
 */
class DovecotDeliveryTest {
    @RegisterExtension
    static final LocalDovecot dovecot = new LocalDovecot().user("carol").user("full", 300);

    @TempDir
    Path home;

    private TestServer start(String yaml, String directory) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailboxes.yaml"), directory);
        return TestServer.start(home, yaml, SinkChain.EMPTY);
    }

    private List<String> badmailReasons() throws Exception {
        Path dir = home.resolve("mailroot/badmail");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".bdr")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }).toList();
        }
    }

    @Test
    void lmtpStoresEachMailboxAndOneOverItsDovecotQuotaFailsAloneWithDovecotsReply() throws Exception {
        String yaml = "delivery: {lmtp: {host: 127.0.0.1, port: " + dovecot.port() + ", timeoutSeconds: 10}}\n";
        try (TestServer server = start(yaml, "mailboxes:\n  carol: {}\n  full: {}\n");
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            String reply = smtp.sendMail("a@example.org", List.of("carol@localhost", "full@localhost"),
                    "Subject: through lmtp\r\n\r\n" + "z".repeat(600) + "\r\n");
            assertThat(reply).startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(15)).until(() -> dovecot.deliveredTexts("carol").size() == 1);
            assertThat(dovecot.deliveredTexts("carol").get(0)).contains("Subject: through lmtp");
            await().atMost(Duration.ofSeconds(15)).until(() -> badmailReasons().size() == 1);
            assertThat(badmailReasons().get(0)).contains("full@localhost", "LMTP: 552 5.2.2");
            assertThat(dovecot.deliveredTexts("full")).isEmpty();
            assertThat(home.resolve("mailroot/mailboxes/carol/Maildir/new")).doesNotExist(); // not stored in Maildir
        }
    }

    @Test
    void aSieveFileintoFolderIsAnImapFolderForDovecot() throws Exception {
        try (TestServer server = start("mailboxes: {lineEnding: lf}\n", "mailboxes:\n  erin: {}\n")) {
            Path script = home.resolve("erin.sieve");
            Files.writeString(script, "require \"fileinto\";\nif header :contains \"Subject\" \"report\" { fileinto \"Work/Reports\"; }\n");
            StringWriter out = new StringWriter();
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(out, true));
            assertThat(cl.execute("mailbox", "set", "erin", "--sieve", script.toString(), "--home", home.toString()))
                    .as(out.toString()).isZero();
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO client.test");
                assertThat(smtp.sendMail("a@example.org", List.of("erin@localhost"), "Subject: monthly report\r\n\r\nnumbers\r\n"))
                        .startsWith("250");
            }
            Path maildir = home.resolve("mailroot/mailboxes/erin/Maildir");
            await().atMost(Duration.ofSeconds(15)).until(() -> Files.isDirectory(maildir.resolve(".Work.Reports/new"))
                    && Files.list(maildir.resolve(".Work.Reports/new")).count() == 1);
            dovecot.user("erin", maildir, 0);
            assertThat(dovecot.mailboxes("erin")).contains("INBOX", "Work.Reports");
            assertThat(dovecot.doveadm("fetch", "-u", "erin", "text", "mailbox", "Work.Reports", "all")).contains("Subject: monthly report");
        }
    }
}
