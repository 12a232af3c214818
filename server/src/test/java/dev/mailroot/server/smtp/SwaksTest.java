package dev.mailroot.server.smtp;

import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.mailroot.server.smtp.TlsTestHome.ALICE_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** swaks, a real SMTP client, sends with STARTTLS and AUTH PLAIN (.ci/run installs it). */
class SwaksTest {

    @TempDir
    Path home;

    @Test
    void swaksSendsOverStartTlsWithAuthPlainOnTheSubmissionPort() throws Exception {
        assumeThat(onPath("swaks")).as("swaks is not installed (.ci/run installs it: apt-get install swaks)").isTrue();
        TlsTestHome.mailboxes(home);
        try (TestServer server = TestServer.start(home, TlsTestHome.AUTH
                + "listeners:\n  - {name: mx, port: 25}\n  - {name: submission, port: 587}\n", SinkChain.EMPTY)) {
            Result r = swaks(server.server().smtpPort("submission"), "--tls", "--auth", "PLAIN", "--auth-user", "alice@example.test",
                    "--auth-password", ALICE_PASSWORD, "--from", "alice@example.test", "--to", "bob@example.test,carol@remote.test");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("<~  235 2.7.0 Authentication successful").contains("<~  250 2.0.0 Ok: queued as");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0)))
                    .contains("(authenticated as alice@example.test)").contains(" with ESMTPSA id ");

            Result wrong = swaks(server.server().smtpPort("submission"), "--tls", "--auth", "LOGIN", "--auth-user", "alice",
                    "--auth-password", "not-her-password", "--from", "alice@example.test", "--to", "bob@example.test");
            assertThat(wrong.exit()).as(wrong.output()).isNotZero();
            assertThat(wrong.output()).contains("535 5.7.8 Authentication credentials invalid");

            Result plain = swaks(server.server().smtpPort("submission"), "--auth", "PLAIN", "--auth-user", "alice",
                    "--auth-password", ALICE_PASSWORD, "--from", "alice@example.test", "--to", "bob@example.test");
            assertThat(plain.exit()).as(plain.output()).isNotZero();
            assertThat(plain.output()).doesNotContain("235 ");
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result swaks(int port, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
                "--helo", "swaks.test", "--timeout", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("swaks did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
