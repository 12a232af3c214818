package dev.mailroot.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The server as a process: exit codes, one-line errors, SIGTERM. */
class MainProcessTest {

    @TempDir
    Path home;

    private void config(String yaml) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), yaml);
    }

    @Test
    void aBadConfigurationExitsWith2AndOneLineNamingTheKey() throws Exception {
        config("smtp:\n  prot: 25\n");
        try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
            assertThat(child.waitForExit(30)).isEqualTo(2);
            assertThat(child.stderr().strip()).doesNotContain("\n").contains("(line 2)", "unknown key 'smtp.prot'")
                    .doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void aConfigFileNamedOnTheCommandLineIsUsedAndMustExist() throws Exception {
        try (ChildServer child = ChildServer.start(home, "--home", home.toString(), "--config", "nope.yaml")) {
            assertThat(child.waitForExit(30)).isEqualTo(2);
            assertThat(child.stderr().strip()).doesNotContain("\n").contains("nope.yaml: no such file");
        }
    }

    @Test
    void anUnknownOptionExitsWith2() throws Exception {
        try (ChildServer child = ChildServer.start(home, "--frobnicate")) {
            assertThat(child.waitForExit(30)).isEqualTo(2);
            assertThat(child.stderr()).contains("Unknown option: '--frobnicate'").doesNotContain("\tat ");
        }
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        try (ChildServer child = ChildServer.start(home, "--version")) {
            assertThat(child.waitForExit(30)).isZero();
            assertThat(child.stdout()).isEqualTo("Mailroot " + System.getProperty("mailroot.version") + "\n");
        }
    }

    @Test
    void anSmtpPortInUseExitsWith1AndNamesThePortAndItsKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            config("smtp: {port: " + taken.getLocalPort() + "}\nadmin: {port: 0}\n");
            try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
                assertThat(child.waitForExit(30)).isEqualTo(1);
                assertThat(child.stderr()).isEqualTo("mailroot: cannot start: cannot listen on 127.0.0.1:"
                        + taken.getLocalPort() + " (smtp.port): Address already in use\n");
            }
        }
    }

    @Test
    void anAdminPortInUseExitsWith1AndNamesThePortAndItsKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            config("smtp: {port: 0}\nadmin: {port: " + taken.getLocalPort() + "}\n");
            try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
                assertThat(child.waitForExit(30)).isEqualTo(1);
                assertThat(child.stderr()).isEqualTo("mailroot: cannot start: cannot listen on 127.0.0.1:"
                        + taken.getLocalPort() + " (admin.port): Address already in use\n");
            }
        }
    }

    private String readyLine() throws IOException {
        return "mailroot: ready: SMTP 127.0.0.1:" + smtpPort + ", admin 127.0.0.1:"
                + Files.readString(home.resolve("mailroot/admin.port")).strip() + ", home " + home.toRealPath();
    }

    private int smtpPort;

    @Test
    void theServerSaysReadyOnStdoutOnceItAcceptsMail() throws Exception {
        smtpPort = ChildServer.freePort();
        config("smtp: {port: " + smtpPort + "}\nadmin: {port: 0}\n");
        try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> child.stdout().contains("mailroot: ready: "));
            // no waiting from here: the line comes after everything started
            try (SmtpClient smtp = new SmtpClient(smtpPort)) {
                smtp.send("EHLO c");
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: ready\r\n\r\nx\r\n"))
                        .startsWith("250 2.0.0");
            }
            assertThat(child.stdout().lines().filter(l -> l.startsWith("mailroot: ready: "))).containsExactly(readyLine());
            child.terminate();
            assertThat(child.waitForExit(30)).isZero();
        }
    }

    @Test
    void waitReturnsOnceTheServerIsReadyAndPrintsTheSameLine(@TempDir Path elsewhere) throws Exception {
        smtpPort = ChildServer.freePort();
        config("smtp: {port: " + smtpPort + "}\nadmin: {port: 0}\n");
        try (ChildServer waiting = ChildServer.start(elsewhere, "wait", "--home", home.toString(), "--timeout", "60")) {
            assertThat(waiting.process().isAlive()).isTrue();
            try (ChildServer server = ChildServer.start(home, "--home", home.toString())) {
                assertThat(waiting.waitForExit(60)).as(waiting.stderr()).isZero();
                assertThat(waiting.stdout()).isEqualTo(readyLine() + "\n");
                assertThat(waiting.stderr()).isEmpty();
                try (SmtpClient smtp = new SmtpClient(smtpPort)) {
                    assertThat(smtp.greeting()).startsWith("220");
                }
                server.terminate();
                assertThat(server.waitForExit(30)).isZero();
            }
        }
    }

    @Test
    void waitGivesUpAfterItsTimeoutWithExit1AndOneLine() throws Exception {
        try (ChildServer waiting = ChildServer.start(home, "wait", "--home", home.toString(), "--timeout", "1")) {
            assertThat(waiting.waitForExit(30)).isEqualTo(1);
            assertThat(waiting.stdout()).isEmpty();
            assertThat(waiting.stderr()).isEqualTo("mailroot: not ready within 1 s: the server is not running in "
                    + home.toRealPath() + " (no mailroot/admin.port)\n");
        }
    }

    @Test
    void sigtermFinishesTheWorkInFlightAndExits0() throws Exception {
        int port = ChildServer.freePort();
        config("smtp: {port: " + port + "}\n");
        try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ChildServer.listening(port));
            try (SmtpClient smtp = new SmtpClient(port)) {
                smtp.send("EHLO c");
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: before stop\r\n\r\nx\r\n"))
                        .startsWith("250 2.0.0");
            }
            try (SmtpClient inData = new SmtpClient(port)) {
                inData.send("EHLO c");
                assertThat(inData.send("MAIL FROM:<a@example.org>")).startsWith("250");
                assertThat(inData.send("RCPT TO:<bob@localhost>")).startsWith("250");
                assertThat(inData.send("DATA")).startsWith("354");
                inData.write("Subject: in flight at the stop\r\n\r\nfirst half\r\n");
                child.terminate();
                // the server is stopping: a new client is turned away, the one in DATA is not
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (SmtpClient late = new SmtpClient(port)) {
                        return late.greeting().startsWith("421 4.3.2");
                    } catch (IOException e) {
                        return false;
                    }
                });
                assertThat(child.process().isAlive()).isTrue();
                inData.write("second half\r\n.\r\n");
                assertThat(inData.reply()).startsWith("250 2.0.0");
            }
            assertThat(child.waitForExit(30)).isEqualTo(0);
            Path newDir = home.resolve("mailroot/mailboxes/bob/Maildir/new");
            assertThat(TestServer.files(newDir)).hasSize(2);
            assertThat(TestServer.files(newDir).stream().map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).anyMatch(m -> m.contains("Subject: in flight at the stop") && m.contains("first half\nsecond half")); // stored with LF (mailboxes.lineEnding)
            String log = Files.readString(home.resolve("logs/mailroot.log"));
            assertThat(log).contains("MR1010 SMTP listening", "MR1001 accepted", "Mailroot stopped");
        }
    }
}
