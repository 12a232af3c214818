package dev.mailroot.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code bin/mailroot} as an administrator runs it, after the build has packaged the server. */
class LauncherIT {

    @TempDir
    Path home;

    private Process launch(String... args) throws IOException {
        return Launcher.start("mailroot", home, Map.of(), args);
    }

    @Test
    void binMailrootServesMailAndStopsWithExit0OnSigterm() throws Exception {
        int port = ChildServer.freePort();
        Path conf = home.resolve("site.yaml");
        Files.writeString(conf, "smtp: {port: " + port + "}\ndomains: [example.test]\n");
        Process server = launch("--home", home.toString(), "--config", conf.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                try (SmtpClient c = new SmtpClient(port)) {
                    return c.greeting().startsWith("220");
                }
            });
            try (SmtpClient smtp = new SmtpClient(port)) {
                smtp.send("EHLO launcher.test");
                assertThat(smtp.sendMail("a@example.org", List.of("ops@example.test"), "Subject: via bin/mailroot\r\n\r\nhi\r\n"))
                        .startsWith("250 2.0.0");
            }
            Path newDir = home.resolve("mailroot/mailboxes/ops/Maildir/new");
            await().atMost(Duration.ofSeconds(10)).until(() -> TestServer.files(newDir).size() == 1);
            // the script execs the JVM: the process we started is the server itself
            assertThat(ProcessHandle.of(server.pid()).flatMap(h -> h.info().command()).orElse("")).endsWith("java");
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isZero();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void binMailrootVersionIsTheBuildsVersion() throws Exception {
        Process p = launch("--version");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(home.resolve("mailroot.out"))).isEqualTo("Mailroot " + System.getProperty("mailroot.version") + "\n");
    }

    @Test
    void everyCommandsHelpReachesStdout() throws Exception {
        for (String[] args : new String[][]{{"--help"}, {"retrieve", "--help"}, {"pop3-check", "--help"}, {"wait", "--help"}}) {
            Launcher.Run help = Launcher.run("mailroot", home, args);
            assertThat(help.exit()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).as(String.join(" ", args)).startsWith("Usage: mailroot").contains("--home");
        }
    }

    @Test
    void binMailrootRefusesABadConfigurationWithExit2() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp:\n  maxMessageSize: -5\n");
        Process server = launch("--home", home.toString());
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(2);
        String err = Files.readString(home.resolve("mailroot.err"), StandardCharsets.UTF_8).strip();
        assertThat(err).doesNotContain("\n").contains("smtp.maxMessageSize", "(line 2)");
    }
}
