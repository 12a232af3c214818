package dev.mailroot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bin/mailroot trace} and {@code bin/mailroot folder} as an operator runs them: the real
 * launcher in a child process, against a server started by {@code bin/mailroot} (running, then
 * stopped), its stdout, stderr and exit code.
 */
class FindingMessagesIT {

    @TempDir
    Path home;

    private Launcher.Run mailroot(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--home";
        all[args.length + 1] = home.toString();
        Path dir = Files.createTempDirectory(home, "cli");
        return Launcher.run("mailroot", dir, all);
    }

    private static String send(int port, String rcpt, String message) throws Exception {
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.send("EHLO finder.test");
            String reply = smtp.sendMail("ann@example.org", List.of(rcpt), message);
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    @Test
    void traceFindsAMessageInItsMailboxAndInBadmailByEachKeyAndFolderActsOnBadmailWithTheServerRunningAndStopped()
            throws Exception {
        int port = ChildServer.freePort();
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + "}\nadmin: {port: 0}\n");
        Process server = Launcher.start("mailroot", home, Map.of(), "--home", home.toString());
        String lunch;
        String loop;
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> ChildServer.listening(port) || !server.isAlive());
            assertThat(server.isAlive()).isTrue();
            lunch = send(port, "alice@localhost", "From: Ann <ann@example.org>\r\nTo: alice@localhost\r\nSubject: Lunch plans\r\n"
                    + "Message-ID: <lunch@finder.test>\r\n\r\nnoon?\r\n");
            // a message that says it was delivered to bob already: a mail loop, kept in badmail
            loop = send(port, "bob@localhost", "Delivered-To: bob@localhost\r\nSubject: round and round\r\n"
                    + "Message-ID: <loop@finder.test>\r\n\r\nx\r\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(home.resolve("mailroot/badmail/" + loop + ".bad"))
                    && Files.exists(home.resolve("logs/tracking.jsonl"))
                    && Files.readString(home.resolve("logs/tracking.jsonl")).contains("\"event\":\"delivered\""));

            Launcher.Run byTo = mailroot("trace", "--to", "ALICE@");
            assertThat(byTo.exit()).as(byTo.err()).isZero();
            List<String> lines = byTo.out().lines().toList();
            assertThat(lines.get(0)).isEqualTo("message " + lunch);
            assertThat(lines.get(1)).contains("received", "from=ann@example.org", "subject=Lunch plans", "messageId=<lunch@finder.test>");
            assertThat(byTo.out()).contains("delivered");
            assertThat(lines.get(lines.size() - 1)).contains("found", "place=mailbox alice",
                    "file=" + home.resolve("mailroot/mailboxes/alice/Maildir/new"));
            assertThat(byTo.out()).doesNotContain(loop);

            Launcher.Run bySubject = mailroot("trace", "--subject", "lunch", "--since", "1h", "--json");
            assertThat(bySubject.exit()).isZero();
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> nodes = bySubject.out().lines().map(l -> {
                try {
                    return json.readTree(l);
                } catch (Exception e) {
                    throw new AssertionError(l, e);
                }
            }).toList();
            assertThat(nodes).allMatch(n -> n.path("id").asText().equals(lunch));
            assertThat(nodes).anyMatch(n -> n.path("event").asText().equals("found") && n.path("place").asText().equals("mailbox alice"));

            Launcher.Run byMessageId = mailroot("trace", "loop@finder.test");
            assertThat(byMessageId.exit()).isZero();
            assertThat(byMessageId.out()).contains("message " + loop, "place=badmail", "file=" + home.resolve("mailroot/badmail/" + loop + ".bad"));

            Launcher.Run none = mailroot("trace", "--from", "nobody-such");
            assertThat(none.exit()).isEqualTo(1);
            assertThat(none.out()).isEmpty();
            assertThat(none.err()).contains("no message matching from=nobody-such").doesNotContain("Exception");

            Launcher.Run list = mailroot("folder", "list", "badmail");
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).contains(loop, "round and round", "reason:", "-- 1 of 1 entry in");
            Launcher.Run show = mailroot("folder", "show", "badmail", loop);
            assertThat(show.exit()).isZero();
            assertThat(show.out()).contains("x-sender: ann@example.org", "x-receiver: bob@localhost", "Delivered-To: bob@localhost",
                    "-- " + loop + ".bdr", "Reason:");
        } finally {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        // the server is stopped: folders and the log still answer
        Launcher.Run stopped = mailroot("trace", lunch);
        assertThat(stopped.exit()).isZero();
        assertThat(stopped.err()).contains("server not running");
        assertThat(stopped.out()).contains("message " + lunch, "delivered", "place=mailbox alice");

        Launcher.Run deleted = mailroot("folder", "delete", "badmail", loop, "--reason", "a loop, checked by hand");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("now " + home.resolve("mailroot/badmail/deleted/" + loop + ".bad"));
        assertThat(Files.readString(home.resolve("mailroot/badmail/deleted/" + loop + ".bdr"))).contains("from badmail: a loop, checked by hand");
        assertThat(mailroot("trace", loop).out()).contains("place=badmail/deleted");
        assertThat(Files.readString(home.resolve("logs/mailroot-cli.log"))).contains("MR8041 badmail entry " + loop);

        // a quarantined message, released by hand: back into pickup, its reason kept
        dev.mailroot.server.spool.SpoolEnvelope env = new dev.mailroot.server.spool.SpoolEnvelope("ann@example.org",
                List.of("alice@localhost"), "h", "127.0.0.1", java.time.Instant.now(), dev.mailroot.sink.Source.SMTP, null);
        new dev.mailroot.server.badmail.Badmail(home.resolve("mailroot/quarantine"), java.time.Clock.systemUTC(),
                "Mailroot quarantine report").write("0HQUAR1", env, env.recipients(), dev.mailroot.server.message.MessageContent.of(
                "Subject: looks like spam\r\n\r\nx\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "\r\n",
                "quarantined by binding spam: score 7.5", List.of());
        Launcher.Run released = mailroot("folder", "resubmit", "quarantine", "0HQUAR1");
        assertThat(released.exit()).as(released.err()).isZero();
        assertThat(released.out()).contains("resubmitted: " + home.resolve("mailroot/pickup/0HQUAR1.eml"));
        assertThat(Files.readString(home.resolve("mailroot/pickup/0HQUAR1.eml"))).startsWith("x-sender: ann@example.org\r\n"
                + "x-receiver: alice@localhost\r\nSubject: looks like spam");
        assertThat(Files.readString(home.resolve("mailroot/quarantine/resubmitted/0HQUAR1.bdr"))).contains("score 7.5", "Resubmitted:");
        assertThat(mailroot("trace", "--subject", "spam").out()).contains("place=pickup", "0HQUAR1.eml");
        assertThat(mailroot("folder", "resubmit", "quarantine", "0HQUAR1").exit()).isEqualTo(1);

        // usage errors: exit 2, one line on stderr, nothing on stdout
        for (String[] args : List.of(new String[]{"trace"}, new String[]{"trace", "--since", "yesterday"},
                new String[]{"folder", "delete", "badmail", "../x"}, new String[]{"folder", "show", "badmail", "a\u001b[2Jb"},
                new String[]{"folder", "list", "spool"})) {
            Launcher.Run r = mailroot(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).startsWith("mailroot: ").doesNotContain("\u001b", "Exception");
        }
    }
}
