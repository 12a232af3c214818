package dev.mailroot.server.smtp;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SmtpIntakeTest {

    @TempDir
    Path home;

    private static final String MESSAGE = "From: Alice <alice@example.org>\r\n"
            + "To: bob@localhost, carol@localhost\r\n"
            + "Subject: =?UTF-8?Q?caf=C3=A9?= and\r\n  a folded subject\r\n"
            + "X-Odd:no space after colon\r\n"
            + "\r\n"
            + "Body line 1\r\n"
            + ".leading dot survives dot-stuffing\r\n"
            + "\tTabbed line with trailing space \r\n";

    @Test
    void deliversOneCopyPerLocalRecipientWithTraceFieldsAndTheMessageByteForByte() throws Exception {
        try (TestServer server = TestServer.start(home);
             SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.greeting()).startsWith("220 ");
            assertThat(smtp.send("EHLO client.example")).startsWith("250");
            String reply = smtp.sendMail("alice@example.org", List.of("bob@localhost", "Carol@LOCALHOST"), MESSAGE);
            assertThat(reply).matches("250 2\\.0\\.0 Ok: queued as [0-9A-Z]{13}");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);

            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.newMail("bob").size() == 1 && server.newMail("carol").size() == 1);
            String bob = Files.readString(server.newMail("bob").get(0), StandardCharsets.UTF_8);
            String carol = Files.readString(server.newMail("carol").get(0), StandardCharsets.UTF_8);

            assertThat(bob).startsWith("Return-Path: <alice@example.org>\r\nDelivered-To: bob@localhost\r\nReceived: from client.example ([127.0.0.1])\r\n");
            assertThat(carol).startsWith("Return-Path: <alice@example.org>\r\nDelivered-To: carol@localhost\r\nReceived: ");
            for (String copy : List.of(bob, carol)) {
                assertThat(copy.split("\r\nReceived: ", -1)).hasSize(2);
                assertThat(copy).contains(" id " + id + ";");
                // everything after our one Received field is exactly what the client sent
                String afterReceived = copy.substring(copy.indexOf("\r\nFrom: Alice") + 2);
                assertThat(afterReceived).isEqualTo(MESSAGE);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
        }
    }

    @Test
    void aMessageToOneRecipientNamesItInTheReceivedField() throws Exception {
        try (TestServer server = TestServer.start(home);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.sendMail("", List.of("bob@localhost"), "Subject: bounce\r\n\r\nx\r\n")).startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            String copy = Files.readString(server.newMail("bob").get(0));
            assertThat(copy).startsWith("Return-Path: <>\r\n");
            assertThat(copy).contains("\r\n\tfor <bob@localhost>; ");
        }
    }

    @Test
    void foreignDomainIsRefusedAsRelayAndLocalOnesStillAccepted() throws Exception {
        try (TestServer server = TestServer.start(home, "domains: [example.com, Mail.Example.COM]", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<x@example.org>")).isEqualTo("550 5.7.1 <x@example.org>: Relay access denied");
            assertThat(smtp.send("RCPT TO:<x@localhost>")).startsWith("550 5.7.1");
            assertThat(smtp.send("RCPT TO:<x@[127.0.0.1]>")).startsWith("550 5.7.1");
            assertThat(smtp.send("RCPT TO:<bob@EXAMPLE.com>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<carol@mail.example.com.>")).startsWith("250");
            assertThat(smtp.send("DATA")).startsWith("354");
            smtp.write("Subject: t\r\n\r\nhi\r\n");
            assertThat(smtp.send(".")).startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.newMail("bob").size() == 1 && server.newMail("carol").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0))).contains("Delivered-To: bob@example.com\r\n");
        }
    }

    @Test
    void postmasterWithoutDomainIsAcceptedForThePrimaryDomain() throws Exception {
        try (TestServer server = TestServer.start(home, "domains: [example.com]", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.sendMail("a@example.org", List.of("Postmaster"), "Subject: t\r\n\r\nhi\r\n")).startsWith("250");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("postmaster").size() == 1);
            assertThat(Files.readString(server.newMail("postmaster").get(0))).contains("Delivered-To: postmaster@example.com\r\n");
        }
    }

    @Test
    void unknownMailboxIsRefusedWhenMailboxesAreNotCreatedAutomatically() throws Exception {
        Files.createDirectories(home.resolve("mailroot/mailboxes/bob/Maildir/new"));
        try (TestServer server = TestServer.start(home, "mailboxes: {autoCreate: false, lineEnding: crlf}", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            smtp.send("MAIL FROM:<a@example.org>");
            assertThat(smtp.send("RCPT TO:<nobody@localhost>"))
                    .isEqualTo("550 5.1.1 <nobody@localhost>: Recipient address rejected: User unknown in local recipient table");
            assertThat(smtp.send("RCPT TO:<BOB@localhost>")).startsWith("250");
            assertThat(smtp.send("DATA")).startsWith("354");
            smtp.write("Subject: t\r\n\r\nhi\r\n");
            assertThat(smtp.send(".")).startsWith("250");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(home.resolve("mailroot/mailboxes/nobody")).doesNotExist();
        }
    }

    @Test
    void mailboxNamesThatCouldEscapeTheMailboxFolderAreRefusedAndNothingIsWrittenOutside() throws Exception {
        List<String> bad = List.of("../evil@localhost", "..@localhost", "a..b@localhost", ".hidden@localhost",
                "trailing.@localhost", "a/b@localhost", "a\\b@localhost", "a\u0001b@localhost", "a\u007fb@localhost",
                "\"quoted name\"@localhost", "\"../../etc\"@localhost",
                "caf\u00c3\u00a9@localhost" /* UTF-8 bytes of café, as the client writes ISO-8859-1 */);
        Path outside = home.getParent().resolve("outside-" + home.getFileName());
        Files.createDirectories(outside);
        try (TestServer server = TestServer.start(home);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
            for (String rcpt : bad) {
                assertThat(smtp.send("RCPT TO:<" + rcpt + ">")).as(rcpt).startsWith("553 5.1.3 ");
            }
            assertThat(smtp.send("RCPT TO:<a\u0000b@localhost>")).startsWith("553 5.1.3 ");
            assertThat(smtp.send("RSET")).startsWith("250");
            assertThat(smtp.send("QUIT")).startsWith("221");
            List<Path> mailboxes = new ArrayList<>();
            try (var s = Files.list(home.resolve("mailroot/mailboxes"))) {
                s.forEach(mailboxes::add);
            }
            assertThat(mailboxes).isEmpty();
        }
        try (var s = Files.list(outside)) {
            assertThat(s.toList()).isEmpty();
        }
        assertThat(home.getParent().resolve("evil")).doesNotExist();
    }

    @Test
    void messageOverTheSizeLimitGets552AndNothingIsKeptAndTheSessionGoesOn() throws Exception {
        try (TestServer server = TestServer.start(home, "smtp: {maxMessageSize: 1000}", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.send("EHLO c")).contains("SIZE 1000");
            String big = "Subject: big\r\n\r\n" + "x".repeat(78).concat("\r\n").repeat(20);
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), big))
                    .isEqualTo("552 5.3.4 Error: message file too big");
            // the transaction is over: a new MAIL works without RSET, and a small message goes through
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: small\r\n\r\nok\r\n"))
                    .startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0))).contains("Subject: small");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
            assertThat(server.badmail()).isEmpty();
            try (var s = Files.list(home.resolve("mailroot/queue"))) {
                assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".eml"));
            }
        }
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMailFrom() throws Exception {
        try (TestServer server = TestServer.start(home, "smtp: {maxMessageSize: 1000}", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.send("MAIL FROM:<a@example.org> SIZE=1001")).startsWith("552 5.3.4");
            assertThat(smtp.send("MAIL FROM:<a@example.org> SIZE=999")).startsWith("250");
        }
    }

    /** Found by SmtpFuzzTest: SubEthaSMTP reads SIZE as an int, and a larger number ended the session with 421 4.3.0. */
    @Test
    void aDeclaredSizeTooLargeForAnIntIsRefusedWith552AndTheSessionGoesOn() throws Exception {
        try (TestServer server = TestServer.start(home, "smtp: {maxMessageSize: 1000}", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.send("MAIL FROM:<a@example.org> SIZE=9999999999999")).startsWith("552 5.3.4");
            assertThat(smtp.send("MAIL FROM:<a@example.org> size=0099999999999999999999999 ")).startsWith("552 5.3.4");
            assertThat(smtp.send("MAIL FROM:<a@example.org> SIZE=2147483648")).startsWith("552 5.3.4");
            assertThat(smtp.send("MAIL FROM:<a@example.org> SIZE=999")).startsWith("250");
            assertThat(smtp.send("MAIL FROM:<a@example.org> SIZE=9999999999999")).startsWith("503");
        }
    }

    /** Seen while triaging SmtpFuzzTest: what had arrived of a cut-short BDAT chunk was spooled and delivered. */
    @Test
    void aBdatChunkCutShortByTheClientGoingAwayIsNotSpooledAndWholeChunksAre() throws Exception {
        try (TestServer server = TestServer.start(home)) {
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO c");
                smtp.send("MAIL FROM:<a@example.org>");
                assertThat(smtp.send("RCPT TO:<dave@localhost>")).startsWith("250");
                smtp.write("BDAT 19\r\nSubject: chunks\r\n\r\n");
                assertThat(smtp.reply()).startsWith("250");
                smtp.write("BDAT 6 LAST\r\nwhole\n");
                assertThat(smtp.reply()).startsWith("250 2.0.0 Ok: queued as ");
            }
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO c");
                smtp.send("MAIL FROM:<a@example.org>");
                assertThat(smtp.send("RCPT TO:<bob@localhost>")).startsWith("250");
                smtp.write("BDAT 100 LAST\r\nSubject: cut short\r\n\r\nonly part of it");
            }
            try (SmtpClient next = new SmtpClient(server.port())) {
                next.send("EHLO c");
                assertThat(next.sendMail("a@example.org", List.of("carol@localhost"), "Subject: next\r\n\r\nx\r\n")).startsWith("250");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("carol").size() == 1);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(Files.readString(server.newMail("dave").get(0))).endsWith("Subject: chunks\r\n\r\nwhole\n");
        }
    }

    /** Found by SmtpFuzzTest: SubEthaSMTP's BDAT stream failed with a NullPointerException (421 4.3.0, a stack trace). */
    @Test
    void aConnectionEndingBetweenBdatChunksIsRefusedWithoutAStackTraceAndNothingIsSpooled() throws Exception {
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home)) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.getOutputStream().write(("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@localhost>\r\n"
                        + "BDAT 5\r\nhello").getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                String replies = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(replies).contains("250 Message OK, 5 bytes received")
                        .endsWith("421 4.4.2 Connection lost in the middle of the message; nothing was kept\r\n");
            }
            try (SmtpClient next = new SmtpClient(server.port())) {
                next.send("EHLO c");
                assertThat(next.sendMail("a@example.org", List.of("carol@localhost"), "Subject: next\r\n\r\nx\r\n")).startsWith("250");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("carol").size() == 1);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(logs.containing("MR1016")).hasSize(1);
            assertThat(logs.events()).noneMatch(e -> e.getThrowableProxy() != null);
        }
    }

    @Test
    void aMessageLargerThanTheInlineLimitIsSpooledInItsOwnFileAndDelivered() throws Exception {
        try (TestServer server = TestServer.start(home);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            StringBuilder body = new StringBuilder("Subject: large\r\n\r\n");
            for (int i = 0; body.length() < 3 * 1024 * 1024; i++) {
                body.append("line ").append(i).append(" of a large message, padded to make it long enough\r\n");
            }
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), body.toString())).startsWith("250");
            await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("bob").size() == 1);
            String copy = Files.readString(server.newMail("bob").get(0));
            assertThat(copy).endsWith(body.substring(body.indexOf("\r\n\r\n")));
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (var s = Files.list(home.resolve("mailroot/queue"))) {
                    return s.noneMatch(p -> p.getFileName().toString().endsWith(".eml"));
                }
            });
        }
    }

    @Test
    void recipientBeyondTheLimitGets452AndTheOthersAreDelivered() throws Exception {
        try (TestServer server = TestServer.start(home, "smtp: {maxRecipients: 2}", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            smtp.send("MAIL FROM:<a@example.org>");
            assertThat(smtp.send("RCPT TO:<r1@localhost>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<r2@localhost>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<r3@localhost>")).isEqualTo("452 4.5.3 Error: too many recipients");
            assertThat(smtp.send("DATA")).startsWith("354");
            smtp.write("Subject: t\r\n\r\nhi\r\n");
            assertThat(smtp.send(".")).startsWith("250");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.newMail("r1").size() == 1 && server.newMail("r2").size() == 1);
            assertThat(server.newMail("r3")).isEmpty();
        }
    }

    @Test
    void connectionsBeyondTheLimitGet421WithAnEnhancedCode() throws Exception {
        try (TestServer server = TestServer.start(home, "smtp: {maxConnections: 2}", SinkChain.EMPTY);
             SmtpClient one = new SmtpClient(server.port());
             SmtpClient two = new SmtpClient(server.port());
             SmtpClient three = new SmtpClient(server.port())) {
            assertThat(one.greeting()).startsWith("220");
            assertThat(two.greeting()).startsWith("220");
            assertThat(three.greeting()).isEqualTo("421 4.3.2 Too many connections, try again later");
            one.send("QUIT");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (SmtpClient four = new SmtpClient(server.port())) {
                    assertThat(four.greeting()).startsWith("220");
                }
            });
        }
    }

    @Test
    void anIdleClientIsDisconnectedAfterTheIdleTimeout() throws Exception {
        try (TestServer server = TestServer.start(home, "smtp: {idleTimeoutSeconds: 1}", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.reply()).startsWith("421");
            assertThat(smtp.closedByServer()).isTrue();
        }
    }
}
