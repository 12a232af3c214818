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
        for (String[] args : new String[][]{{"--help"}, {"connector", "--help"}, {"retrieve", "--help"}, {"pop3-check", "--help"}, {"wait", "--help"}}) {
            Launcher.Run help = Launcher.run("mailroot", home, args);
            assertThat(help.exit()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).as(String.join(" ", args)).startsWith("Usage: mailroot").contains("--home");
        }
    }

    /**
     * Two launchers started at once in a tree that needs a build run one build: the second waits
     * for the first, then finds nothing left to build. A stand-in {@code mvn} on the PATH counts
     * its runs and "builds" by copying the real jars, slowly.
     */
    @Test
    void twoLaunchersStartedAtOnceRunOneBuild(@TempDir Path tree) throws Exception {
        Path bin = Files.createDirectories(tree.resolve("repo/bin/lib"));
        Files.copy(Launcher.REPO.resolve("bin/mailroot"), tree.resolve("repo/bin/mailroot"));
        tree.resolve("repo/bin/mailroot").toFile().setExecutable(true);
        Files.copy(Launcher.REPO.resolve("bin/lib/ensure-built.sh"), bin.resolve("ensure-built.sh"));
        // a source tree (a folder without pom.xml or jars is neither that nor a release: nothing to build)
        Files.writeString(tree.resolve("repo/pom.xml"), "<project/>\n");
        Path fakeBin = Files.createDirectories(tree.resolve("fake-bin"));
        Path builds = tree.resolve("builds.txt");
        Path target = Launcher.REPO.resolve("server/target");
        Files.writeString(fakeBin.resolve("mvn"), """
                #!/usr/bin/env bash
                echo "mvn $*" >> '%s'
                sleep 3
                mkdir -p server/target/lib
                cp '%s/mailroot-server.jar' server/target/
                cp '%s'/lib/*.jar server/target/lib/
                """.formatted(builds, target, target));
        fakeBin.resolve("mvn").toFile().setExecutable(true);
        Map<String, String> env = Map.of("PATH", fakeBin + ":" + System.getenv("PATH"));
        Path first = Files.createDirectories(tree.resolve("first"));
        Path second = Files.createDirectories(tree.resolve("second"));
        List<Process> both = List.of(startIn(tree, first, env), startIn(tree, second, env));
        for (Process p : both) {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        assertThat(Files.readAllLines(builds)).containsExactly("mvn -B -DskipTests package");
        String version = "Mailroot " + System.getProperty("mailroot.version") + "\n";
        assertThat(Files.readString(first.resolve("mailroot.out"))).isEqualTo(version);
        assertThat(Files.readString(second.resolve("mailroot.out"))).isEqualTo(version);
        assertThat(Files.readString(first.resolve("mailroot.err")) + Files.readString(second.resolve("mailroot.err")))
                .contains("waiting for another build").containsOnlyOnce("building");
    }

    private static Process startIn(Path tree, Path dir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(tree.resolve("repo/bin/mailroot").toString(), "--version").directory(dir.toFile())
                .redirectOutput(dir.resolve("mailroot.out").toFile()).redirectError(dir.resolve("mailroot.err").toFile());
        pb.environment().putAll(env);
        return pb.start();
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
