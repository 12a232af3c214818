package dev.mailroot.server.delivery;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivered mail is read by a real, independent Maildir reader: Python's {@code mailbox.Maildir}
 * (the reader behind many mail tools), which lists {@code new/} and parses each message.
 */
class MaildirReaderTest {

    @TempDir
    Path home;

    private static final String READER = String.join("\n",
            "import mailbox, sys",
            "md = mailbox.Maildir(sys.argv[1], factory=None, create=False)",
            "for key in sorted(md.keys()):",
            "    m = md[key]",
            "    body = m.get_payload(decode=True).decode().strip()",
            "    print('|'.join([m.get_subdir(), m['Return-Path'], m['Delivered-To'], m['Subject'], body]))");

    private static boolean python3() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void anIndependentMaildirReaderReadsWhatWasDelivered() throws Exception {
        assumeThat(python3()).as("python3 is installed by .ci/run").isTrue();
        try (TestServer server = TestServer.start(home);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            for (int i = 1; i <= 3; i++) {
                assertThat(smtp.sendMail("a@example.org", List.of("reader@localhost"),
                        "Subject: message " + i + "\r\nContent-Type: text/plain\r\n\r\nbody " + i + "\r\n")).startsWith("250");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("reader").size() == 3);
            Process p = new ProcessBuilder("python3", "-c", READER,
                    home.resolve("mailroot/mailboxes/reader/Maildir").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out.strip().split("\n")).containsExactlyInAnyOrder(
                    "new|<a@example.org>|reader@localhost|message 1|body 1",
                    "new|<a@example.org>|reader@localhost|message 2|body 2",
                    "new|<a@example.org>|reader@localhost|message 3|body 3");
        }
    }
}
