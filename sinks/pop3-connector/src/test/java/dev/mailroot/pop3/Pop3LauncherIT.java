package dev.mailroot.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.Launcher;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bin/mailroot pop3-check} and {@code bin/mailroot retrieve} as an administrator runs them:
 * the real launcher in a child process, its stdout, stderr and exit code. (The in-process tests
 * passed while the real commands printed nothing: their reports sat in a writer never flushed
 * before the JVM exited.)
 */
class Pop3LauncherIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    @TempDir
    Path home;

    private ConnectorHome connector() {
        return new ConnectorHome(home);
    }

    private static String carol(int port) {
        return "accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n    port: " + port
                + "\n    user: carol\n    password: secret\n    mailbox: carol\n    intervalMinutes: 600\n";
    }

    private static void deliver(String subject) throws Exception {
        remote.getUserManager().getUser("carol")
                .deliver(GreenMailUtil.newMimeMessage("From: a@example.org\r\nSubject: " + subject + "\r\n\r\nx\r\n"));
    }

    @Test
    void pop3CheckPrintsTheTelnetTestOnStdoutThroughTheRealLauncher() throws Exception {
        deliver("waiting");
        connector().accounts(carol(remote.getPop3().getPort()));
        Launcher.Run check = Launcher.run("mailroot", home, "pop3-check", "--home", home.toString());
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out()).startsWith("account carol-isp: carol at 127.0.0.1:" + remote.getPop3().getPort() + " (none)\n")
                .contains("  banner:   +OK", "  PASS:     +OK", "  STAT:     +OK 1 ", "  verdict:  OK: 1 message(s)")
                .endsWith("\n").doesNotContain("secret");
        assertThat(check.err()).isEmpty();
    }

    @Test
    void retrievePrintsTheRunningServersReportThroughTheRealLauncher() throws Exception {
        connector().accounts(carol(remote.getPop3().getPort()));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            // the connector retrieves once at start: the message must arrive after that run
            await().atMost(Duration.ofSeconds(20)).until(() -> !logs.containing("MR5002 account carol-isp").isEmpty());
            deliver("now");
            Launcher.Run retrieve = Launcher.run("mailroot", home, "retrieve", "--home", home.toString());
            assertThat(retrieve.exit()).as(retrieve.err()).isZero();
            assertThat(retrieve.out()).isEqualTo("account carol-isp: downloaded 1, transferred 1, failed 0\n");
            assertThat(retrieve.err()).isEmpty();
            assertThat(ConnectorHome.delivered(server, "carol", 1)).contains("Subject: now");
            // the console's POP3 page asks the same through the admin endpoint (POST /connectors/pop3-connector/status)
            Launcher.Run status = Launcher.run("mailroot", home, "connector", "pop3-connector", "status", "--home", home.toString());
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).startsWith("{\"account\":\"carol-isp\",\"host\":\"127.0.0.1\",\"port\":" + remote.getPop3().getPort())
                    .contains("\"downloaded\":1,\"failed\":0,\"lastRunDownloaded\":1,", "\"lastError\":null,\"running\":false}")
                    .endsWith("}\n").hasLineCount(1).doesNotContain("secret");
        }
        Launcher.Run stopped = Launcher.run("mailroot", home, "retrieve", "--home", home.toString());
        assertThat(stopped.exit()).isEqualTo(1);
        assertThat(stopped.out()).isEmpty();
        assertThat(stopped.err()).isEqualTo("mailroot: the server is not running in " + home.toRealPath()
                + " (no mailroot/admin.port)\n");
    }

    @Test
    void anUnknownCommandIsSaidSoEvenBeforeAnyAccountIsConfigured() throws Exception {
        connector().plugins();
        Launcher.Run r = Launcher.run("mailroot", home, "connector", "pop3-connector", "pop3-check", "--home", home.toString());
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("mailroot: plugin 'pop3-connector': unknown command 'pop3-check'\n");
        Launcher.Run check = Launcher.run("mailroot", home, "connector", "pop3-connector", "check", "--home", home.toString());
        assertThat(check.exit()).isEqualTo(1);
        assertThat(check.out()).startsWith("no usable account in ");
    }

    @Test
    void aHostileServersControlCharactersReachTheTerminalEscaped() throws Exception {
        try (FaultyPop3Server hostile = new FaultyPop3Server("carol", "secret", Set.of(),
                "+OK \u001b]0;owned\u0007\u001b[2J ready\u009b31m")) {
            connector().accounts(carol(hostile.port()));
            Launcher.Run check = Launcher.run("mailroot", home, "pop3-check", "--home", home.toString());
            assertThat(check.exit()).as(check.err()).isZero();
            assertThat(check.out()).contains("banner:   +OK \\x1b]0;owned\\x07\\x1b[2J ready\\x9b31m");
            assertThat(Files.readAllBytes(home.resolve("mailroot.out"))).doesNotContain(0x1b, 0x07, 0x9b);
        }
    }
}
