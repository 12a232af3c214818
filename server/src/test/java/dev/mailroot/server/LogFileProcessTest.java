package dev.mailroot.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server as a process whose log file cannot be written: it says so on stderr once, not never
 * and not once per log line, and goes on serving.
 */
class LogFileProcessTest {

    @TempDir
    Path tmp;

    private static String send(int port, String subject) throws IOException {
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.send("EHLO c");
            return smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: " + subject + "\r\n\r\n"
                    + "a line of the body\r\n".repeat(1200));
        }
    }

    private static List<String> stderrLines(ChildServer child) throws IOException {
        return child.stderr().lines().toList();
    }

    private static int config(Path home) throws IOException {
        int port = ChildServer.freePort();
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + "}\nadmin: {port: 0}\n");
        return port;
    }

    @Test
    void aLogFolderThatCannotBeWrittenIsReportedOnStderrOnceAndMailIsServed() throws Exception {
        Path home = tmp.resolve("home");
        int port = config(home);
        try (SmallDisk readOnly = SmallDisk.mountReadOnly(home.resolve("logs"));
             ChildServer child = ChildServer.start(tmp, "--home", home.toString())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ChildServer.listening(port) || !child.process().isAlive());
            for (int i = 0; i < 5; i++) {
                assertThat(send(port, "logs not writable " + i)).startsWith("250 2.0.0");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> child.stdout().split("MR3001", -1).length == 6);
            assertThat(stderrLines(child)).singleElement().asString()
                    .startsWith("mailroot: MR1018 cannot write the log file " + home.resolve("logs/mailroot.log"))
                    .contains("Read-only file system");
            assertThat(child.stdout()).doesNotContain("|-ERROR", "\tat ");
            child.terminate();
            assertThat(child.waitForExit(30)).isZero();
        }
    }

    @Test
    void aFullDiskUnderTheLogIsReportedOnStderrOnceAndAgainWhenItIsWrittenAgain() throws Exception {
        Path home = tmp.resolve("home");
        try (SmallDisk disk = SmallDisk.mount(home, 30)) {
            int port = config(home);
            // the child's own stdout and stderr are outside the small disk
            try (ChildServer child = ChildServer.start(tmp, "--home", home.toString())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ChildServer.listening(port) || !child.process().isAlive());
                assertThat(send(port, "before")).startsWith("250 2.0.0");
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        Files.readString(home.resolve("logs/mailroot.log")).contains("MR3001"));
                assertThat(child.stderr()).isEmpty();

                disk.fill();
                for (int i = 0; i < 30; i++) { // 30 refusals, each logged: far more than the file's last block holds
                    assertThat(send(port, "full " + i)).startsWith("452 4.3.1");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> child.stdout().split("MR1017", -1).length == 31);
                assertThat(stderrLines(child)).singleElement().asString()
                        .startsWith("mailroot: MR1018 cannot write the log file " + home.resolve("logs/mailroot.log"))
                        .contains("No space left on device");

                disk.unfill();
                // Logback retries the file at growing intervals, at the next log line after each
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    send(port, "room again");
                    return stderrLines(child).size() == 2;
                });
                assertThat(stderrLines(child).get(1)).isEqualTo("mailroot: MR1018 the log file "
                        + home.resolve("logs/mailroot.log") + " is written again");
                child.terminate();
                assertThat(child.waitForExit(30)).isZero();
            }
        }
    }
}
