package dev.mailroot.server.delivery;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MailboxFolderTest {

    @TempDir
    Path home;

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aMailboxFolderDeletedAfterItsFirstDeliveryIsCreatedAgainByTheNext() throws Exception {
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: first\r\n\r\nx\r\n"))
                    .startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);

            deleteTree(home.resolve("mailroot/mailboxes/bob")); // an administrator removes the mailbox

            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: second\r\n\r\nx\r\n"))
                    .startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0))).contains("Subject: second");
            for (String sub : List.of("tmp", "new", "cur")) {
                assertThat(home.resolve("mailroot/mailboxes/bob/Maildir").resolve(sub)).isDirectory();
            }
            assertThat(logs.containing("MR3005")).singleElement().asString().contains("bob");
            assertThat(logs.containing("MR3002")).isEmpty();
        }
    }
}
