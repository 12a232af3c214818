package dev.mailroot.server.smtp;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message whose transaction did not end in {@code 250} is never spooled: BDAT chunks (and DATA)
 * cut short by a disconnect, over a raw socket.
 */
class CutShortTest {

    @TempDir
    Path home;

    private static final String HEAD = "Subject: cut\r\n\r\n";

    /** Opens a transaction for bob, sends {@code raw} (BDAT lines and bytes) and closes the socket. */
    private static void sendAndHangUp(TestServer server, String... raw) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.send("EHLO c")).contains("CHUNKING");
            assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<bob@localhost>")).startsWith("250");
            for (String part : raw) {
                smtp.write(part);
            }
        }
    }

    /**
     * Sends a complete message after the cut one, then checks that the cut one was reported
     * (MR1016) and that only the complete one reached the mailbox and left the spool.
     */
    private static void onlyTheCompleteMessageIsDelivered(TestServer server, LogCapture logs) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: complete\r\n\r\nwhole\r\n"))
                    .startsWith("250 2.0.0");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() >= 1
                && !logs.containing("MR1016").isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
        assertThat(server.newMail("bob")).singleElement()
                .satisfies(p -> assertThat(Files.readString(p)).contains("Subject: complete").doesNotContain("Subject: cut"));
        assertThat(logs.containing("MR1001")).hasSize(1);
        assertThat(logs.events()).noneSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
    }

    @Test
    void aLastChunkCutShortByADisconnectIsNotSpooled() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home)) {
            sendAndHangUp(server, "BDAT 1000 LAST\r\n", HEAD + "0123456789");
            onlyTheCompleteMessageIsDelivered(server, logs);
        }
    }

    @Test
    void chunksWithoutALastOneThenADisconnectAreNotSpooled() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home)) {
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO c");
                assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<bob@localhost>")).startsWith("250");
                smtp.write("BDAT " + HEAD.length() + "\r\n" + HEAD);
                assertThat(smtp.reply()).startsWith("250");
                smtp.write("BDAT 6\r\nbody\r\n");
                assertThat(smtp.reply()).startsWith("250");
            }
            onlyTheCompleteMessageIsDelivered(server, logs);
        }
    }

    @Test
    void aChunkCutMidwayIsNotSpooled() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home)) {
            sendAndHangUp(server, "BDAT 100\r\n", HEAD + "only part of the hundred bytes");
            onlyTheCompleteMessageIsDelivered(server, logs);
        }
    }

    @Test
    void dataCutShortByADisconnectIsNotSpooled() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home)) {
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO c");
                assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<bob@localhost>")).startsWith("250");
                assertThat(smtp.send("DATA")).startsWith("354");
                smtp.write(HEAD + "no end of data line\r\n");
            }
            onlyTheCompleteMessageIsDelivered(server, logs);
        }
    }

    @Test
    void aMessageInSeveralChunksIsDeliveredWholeAndTheSessionGoesOn() throws Exception {
        String first = "Subject: chunked\r\n\r\n";
        String second = "line one\r\n.line with a dot\r\n";
        String third = "last line\r\n";
        try (TestServer server = TestServer.start(home); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            for (int round = 0; round < 2; round++) {
                assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<bob@localhost>")).startsWith("250");
                smtp.write("BDAT " + first.length() + "\r\n" + first);
                assertThat(smtp.reply()).startsWith("250");
                smtp.write("BDAT " + second.length() + "\r\n" + second);
                assertThat(smtp.reply()).startsWith("250");
                smtp.write("BDAT " + third.length() + " LAST\r\n" + third);
                assertThat(smtp.reply()).matches("250 2\\.0\\.0 Ok: queued as [0-9A-Z]{13}");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 2);
            for (Path p : server.newMail("bob")) {
                assertThat(Files.readString(p)).endsWith(first + second + third);
            }
        }
    }
}
