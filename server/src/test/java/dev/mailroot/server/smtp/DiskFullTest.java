package dev.mailroot.server.smtp;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmallDisk;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SMTP intake on a real full disk (a 30 MB tmpfs): temporary replies, nothing half-written, the session goes on. */
class DiskFullTest {

    @TempDir
    Path tmp;

    private static final String FULL = "452 4.3.1 Error: insufficient system storage, try again later";

    private static String message(String subject, int bytes) {
        StringBuilder sb = new StringBuilder("Subject: ").append(subject).append("\r\n\r\n");
        while (sb.length() < bytes) {
            sb.append("a line of a message that is ").append(subject).append(", to make it long enough\r\n");
        }
        return sb.toString();
    }

    private static List<String> queueFiles(Path home) throws Exception {
        try (Stream<Path> s = Files.list(home.resolve("mailroot/queue"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyMessageSizeGets452OnAFullDiskAndTheSameSessionDeliversOnceThereIsRoom() throws Exception {
        Path home = tmp.resolve("home");
        try (SmallDisk disk = SmallDisk.mount(home, 30)) {
            try (LogCapture logs = new LogCapture();
                 TestServer server = TestServer.start(home, "", SinkChain.EMPTY);
                 SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO c");
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), message("before", 2000)))
                        .startsWith("250 2.0.0");
                await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);

                disk.fill();
                // inline in the journal (under 512 KB), spilled to <id>.eml, and larger than what is free
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), message("small", 20_000)))
                        .isEqualTo(FULL);
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), message("large", 2_000_000)))
                        .isEqualTo(FULL);
                disk.free(3 << 20);
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), message("huge", 8_000_000)))
                        .isEqualTo(FULL);
                assertThat(queueFiles(home)).allMatch(n -> n.endsWith(".seg") || n.equals(".lock"),
                        "only segments and the lock: no message file, no temporary file");
                assertThat(logs.containing("MR1017")).hasSize(3);

                disk.unfill();
                // the same connection, without RSET
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), message("small", 20_000)))
                        .startsWith("250 2.0.0");
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), message("large", 2_000_000)))
                        .startsWith("250 2.0.0");
                await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("bob").size() == 3);
                await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
            }
            // what was refused left nothing in the journal: a restart finds no message and no damage
            try (LogCapture logs = new LogCapture();
                 TestServer again = TestServer.start(home, "", SinkChain.EMPTY)) {
                assertThat(again.server().spool().recovered()).isEmpty();
                assertThat(logs.containing("MR1013 spool segment")).as("damaged or cut-short records").isEmpty();
                assertThat(again.newMail("bob")).hasSize(3);
            }
        }
    }
}
