package dev.mailroot.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14: "the POP3 connector's mail going through aliases, quotas and rules like SMTP mail". The
 * connector as built, in a real server with a mailbox directory ({@code conf/mailboxes.yaml}), against
 * GreenMail's POP3 server; what a user sees in the Maildir, the spool and the log.
 */
class Pop3DirectoryIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    /** LF on disk as in production (TestServer's CRLF default applies only without {@code mailboxes:}). */
    private static final String CONFIG = "domains: [localhost]\nmailboxes: {lineEnding: lf}\n"
            + "pickup: {settleMillis: 100, rescanSeconds: 1}\n";

    @TempDir
    Path home;

    private ConnectorHome connector() {
        return new ConnectorHome(home);
    }

    private static int pop3Port() {
        return remote.getPop3().getPort();
    }

    /** conf/pop3-connector.yaml: one user account whose local mailbox is {@code mailbox}. */
    private void account(String mailbox) throws Exception {
        connector().accounts("accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n    port: " + pop3Port()
                + "\n    user: carol\n    password: secret\n    mailbox: " + mailbox + "\n    intervalMinutes: 600\n");
    }

    private void directory(String yaml) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailboxes.yaml"), yaml);
    }

    private static void deliver(String raw) throws Exception {
        remote.getUserManager().getUser("carol").deliver(GreenMailUtil.newMimeMessage(raw));
    }

    private static int remoteCount() throws Exception {
        return ConnectorHome.remoteCount(pop3Port(), "carol", "secret");
    }

    private String retrieve() {
        return connector().run("retrieve", "--home", home.toString());
    }

    private Path maildir(String box) {
        return home.resolve("mailroot/mailboxes").resolve(box).resolve("Maildir");
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String text(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for a downloaded message to arrive; if the pickup sent connector mail to badmail instead,
     * fails with what the server did wrong rather than with a bare time-out.
     */
    private static void awaitArrival(LogCapture logs, String what, Callable<Boolean> arrived) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(20)).until(arrived);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> badmailed = logs.containing("MR1102").stream().map(ev -> ev.getFormattedMessage()).toList();
            if (badmailed.stream().anyMatch(m -> m.contains("mspop3connector."))) {
                fail("SERVER BUG (issue 14): " + what + " never arrived. With conf/mailboxes.yaml present, the pickup "
                        + "checks the connector's recipient mspop3connector.<mailbox>@<domain> against the directory BEFORE "
                        + "the POP3 Connector Event Sink maps it to <mailbox>@<domain>, so every downloaded message goes to "
                        + "badmail with 5.1.1 user unknown (docs/mailboxes.md promises the delivery stage runs after the "
                        + "OnSubmission sinks, so connector mail goes through aliases, quotas and rules). The pickup said: "
                        + badmailed);
            }
            throw e;
        }
    }

    private static long lines(String text, String prefix) {
        return text.lines().filter(l -> l.regionMatches(true, 0, prefix, 0, prefix.length())).count();
    }

    @Test
    void anAccountForADirectoryMailboxIsDeliveredIntoItNotToBadmail() throws Exception {
        // the plainest case, for comparison with the alias: the account's mailbox is the directory mailbox's name
        directory("mailboxes:\n  carol: {}\n");
        account("carol");
        deliver("From: a@example.org\r\nSubject: plain\r\n\r\nx\r\n");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, CONFIG)) {
            awaitArrival(logs, "a message downloaded for mailbox carol", () -> server.newMail("carol").size() == 1);
            assertThat(text(server.newMail("carol").get(0))).contains("Subject: plain", "Delivered-To: carol@localhost");
            assertThat(server.badmail()).isEmpty();
        }
    }

    @Test
    void anAccountWhoseMailboxIsAnAliasDeliversIntoTheAliasedMailbox() throws Exception {
        directory("mailboxes:\n  carol:\n    aliases: [c.smith]\n");
        account("c.smith");
        deliver("From: Alice <alice@example.org>\r\nTo: carol@example.net\r\nSubject: via the alias\r\n\r\nhello\r\n");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, CONFIG)) {
            awaitArrival(logs, "a message downloaded for the alias c.smith", () -> server.newMail("carol").size() == 1);
            String stored = text(server.newMail("carol").get(0));
            assertThat(stored).contains("Subject: via the alias", "hello", "Delivered-To: c.smith@localhost")
                    .doesNotContain("mspop3connector", "x-sender", "x-receiver");
            await().atMost(Duration.ofSeconds(10)).until(() -> remoteCount() == 0);
            assertThat(home.resolve("mailroot/mailboxes/c.smith"))
                    .as("the alias c.smith must not get a mailbox folder of its own: its mail belongs to carol").doesNotExist();
            assertThat(server.badmail()).as("nothing of the alias's mail goes to badmail").isEmpty();
            assertThat(logs.containing("MR3001")).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("<c.smith@localhost>", "mailbox=carol"));
            assertThat(connector().run("mailbox", "show", "carol", "--home", home.toString()))
                    .contains("Addresses:", "c.smith@localhost", "1 messages used");
        }
    }

    @Test
    void aFullMailboxMakesTheDownloadedMessageWaitInTheSpoolUntilThereIsRoom() throws Exception {
        directory("mailboxes:\n  carol:\n    aliases: [c.smith]\n    quota: {messages: 1}\n");
        account("c.smith");
        deliver("From: a@example.org\r\nSubject: fills it\r\n\r\nx\r\n");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, CONFIG)) {
            awaitArrival(logs, "the message that fills carol's quota", () -> server.newMail("carol").size() == 1);
            assertThat(text(server.newMail("carol").get(0))).contains("Subject: fills it");

            deliver("From: a@example.org\r\nSubject: one too many\r\n\r\nx\r\n");
            assertThat(retrieve()).startsWith("0\n").contains("account carol-isp: downloaded 1, transferred 1, failed 0");
            await().atMost(Duration.ofSeconds(15)).until(() -> !logs.containing("MR3105").isEmpty());
            assertThat(logs.containing("MR3105").get(0).getFormattedMessage()).contains("mailbox carol is full");
            assertThat(server.server().spool().size()).as("the message waits in the spool").isEqualTo(1);
            assertThat(server.newMail("carol")).as("the full mailbox gets nothing more").hasSize(1);
            assertThat(server.badmail()).as("a full mailbox is no reason to throw the message away").isEmpty();
            assertThat(remoteCount()).as("the download was handed over, so it is off the remote server").isZero();
            assertThat(home.resolve("mailroot/pop3/incoming")).isEmptyDirectory();
            assertThat(connector().run("mailbox", "show", "carol", "--home", home.toString()))
                    .contains("1 messages used", "FULL: new mail waits");

            // the user makes room: the waiting message arrives at its next try (the first back-off is 30 s)
            for (Path p : files(maildir("carol").resolve("new"))) {
                Files.delete(p);
            }
            Files.deleteIfExists(maildir("carol").resolve("maildirsize"));
            await().atMost(Duration.ofSeconds(70)).until(() -> server.newMail("carol").size() == 1
                    && text(server.newMail("carol").get(0)).contains("Subject: one too many"));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
        }
    }

    @Test
    void sieveRulesFileADownloadedMessageIntoAFolderAndLeaveTheOtherInTheInbox() throws Exception {
        directory("mailboxes:\n  carol:\n    aliases: [c.smith]\n");
        account("c.smith");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, CONFIG)) {
            Path script = home.resolve("carol-rules.sieve");
            Files.writeString(script, "require \"fileinto\";\nif header :contains \"Subject\" \"invoice\" { fileinto \"Invoices\"; }\n");
            assertThat(connector().run("mailbox", "set", "carol", "--sieve", script.toString(), "--home", home.toString()))
                    .startsWith("0\ninstalled the Sieve script");
            deliver("From: billing@shop.example\r\nSubject: Your invoice 2024-117\r\n\r\namount due\r\n");
            deliver("From: friend@example.org\r\nSubject: lunch?\r\n\r\nat noon\r\n");
            // the connector's own scheduled run may take them first: what matters is where they arrive
            assertThat(retrieve()).startsWith("0\n").contains("account carol-isp:");

            Path invoices = maildir("carol").resolve(".Invoices/new");
            awaitArrival(logs, "the two messages for carol's rules",
                    () -> files(invoices).size() == 1 && server.newMail("carol").size() == 1);
            assertThat(text(files(invoices).get(0))).contains("Subject: Your invoice 2024-117", "amount due");
            assertThat(text(server.newMail("carol").get(0))).contains("Subject: lunch?", "at noon");
            assertThat(maildir("carol").resolve(".Invoices/maildirfolder")).as("a Maildir++ folder, as IMAP shows it").exists();
            Thread.sleep(1000); // nothing else arrives: one copy each, in one place
            assertThat(files(invoices)).hasSize(1);
            assertThat(server.newMail("carol")).hasSize(1);
            assertThat(server.badmail()).isEmpty();
        }
    }

    @Test
    void theStoredMessageHasOneReturnPathTheEnvelopeSendersAndLfLineEnds() throws Exception {
        directory("mailboxes:\n  carol:\n    aliases: [c.smith]\n");
        account("c.smith");
        // what a provider's POP3 server hands out: its own Return-Path on top
        deliver("Return-Path: <x@remote>\r\nReceived: from mx.remote by pop.remote; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                + "From: Alice <alice@example.org>\r\nTo: carol@example.net\r\nSubject: trace fields\r\n\r\nline one\r\nline two\r\n");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, CONFIG)) {
            awaitArrival(logs, "the message with the provider's Return-Path", () -> server.newMail("carol").size() == 1);
            String stored = text(server.newMail("carol").get(0));
            assertThat(lines(stored, "Return-Path:")).as("exactly one Return-Path line in:\n" + stored).isEqualTo(1);
            assertThat(stored).as("the envelope sender's Return-Path and Delivered-To on top")
                    .startsWith("Return-Path: <x@remote>\nDelivered-To: c.smith@localhost\n");
            assertThat(stored).as("mailboxes.lineEnding: lf stores no CR").doesNotContain("\r");
            assertThat(stored).contains("Subject: trace fields", "line one\nline two\n",
                    "Received: from mx.remote by pop.remote");
            Path file = server.newMail("carol").get(0);
            assertThat(file.getFileName().toString()).as("the size in the name is the size on disk")
                    .endsWith(",S=" + Files.size(file));
        }
    }
}
