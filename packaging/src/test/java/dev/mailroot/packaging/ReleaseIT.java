package dev.mailroot.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The release as an administrator gets it: packaging/make-release.sh's tarball (made from what the
 * modules before this one built), unpacked in a temp folder, run without Maven and without sources,
 * and installed by install.sh into a temp root.
 */
class ReleaseIT {
    private static final String VERSION = System.getProperty("mailroot.version", "1.0.0-SNAPSHOT");

    @TempDir
    static Path dir;
    private static Path release;

    @BeforeAll
    static void makeAndUnpackTheRelease() throws Exception {
        Command.require("swaks", "swaks");
        Command.require("systemd-analyze", "systemd");
        Path out = Files.createDirectories(dir.resolve("out"));
        Command made = Command.run(out, Map.of(), List.of(
                Command.REPO.resolve("packaging/make-release.sh").toString(), "--no-build", "--out", out.toString()));
        assertThat(made.exit()).as(made.err()).isZero();
        Path tarball = out.resolve("mailroot-" + VERSION + ".tar.gz");
        assertThat(made.out().strip()).isEqualTo(tarball.toString());
        Path opt = Files.createDirectories(dir.resolve("opt"));
        Command untar = Command.run(opt, "tar", "xzf", tarball.toString());
        assertThat(untar.exit()).as(untar.err()).isZero();
        release = opt.resolve("mailroot-" + VERSION);
    }

    @Test
    void releaseHoldsTheJarsPluginsAndDocsButNoSources() throws IOException {
        assertThat(release.resolve("bin/mailroot")).isExecutable();
        assertThat(release.resolve("bin/registry")).isExecutable();
        assertThat(release.resolve("lib/server/mailroot-server.jar")).isRegularFile();
        assertThat(release.resolve("lib/registry-tool/mailroot-registry.jar")).isRegularFile();
        assertThat(release.resolve("plugins")).isDirectoryContaining("glob:**/stamp-" + VERSION + ".jar")
                .isDirectoryContaining("glob:**/pop3-connector-" + VERSION + ".jar")
                .isDirectoryContaining("glob:**/filters-" + VERSION + ".jar");
        assertThat(release.resolve("packaging/mailroot.service")).hasSameTextualContentAs(
                Command.REPO.resolve("packaging/mailroot.service"));
        assertThat(release.resolve("docs/installing.md")).isRegularFile();
        assertThat(release.resolve("docs/examples/tag-sink/pom.xml")).isRegularFile(); // writing-a-sink.md's example
        for (String source : List.of("pom.xml", "server", "host", "sinks", "registry-tool", "docs/design")) {
            assertThat(release.resolve(source)).doesNotExist();
        }
        try (Stream<Path> all = Files.walk(release)) {
            assertThat(all.map(p -> release.relativize(p).toString()))
                    .noneMatch(p -> p.endsWith(".java") && !p.startsWith("docs/examples/"))
                    .noneMatch(p -> p.equals("target") || p.endsWith("/target") || p.contains("/target/"));
        }
    }

    @Test
    void releaseLaunchersRunWithoutMavenAndNeverBuild() throws Exception {
        // an mvn first on PATH that leaves a mark: the launchers must not call it
        Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        Path mark = dir.resolve("mvn-was-called");
        Path mvn = fakeBin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\ntouch '" + mark + "'\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("PATH", fakeBin + ":" + System.getenv("PATH"));
        Path work = Files.createDirectories(dir.resolve("versions"));

        Command mailroot = Command.run(work, env, List.of(release.resolve("bin/mailroot").toString(), "--version"));
        Command registry = Command.run(work, env, List.of(release.resolve("bin/registry").toString(), "--version"));

        assertThat(mailroot.out().strip()).as(mailroot.err()).isEqualTo("Mailroot " + VERSION);
        assertThat(registry.out().strip()).as(registry.err()).isEqualTo("Mailroot registry " + VERSION);
        assertThat(mark).doesNotExist();
        assertThat(release.resolve("target")).doesNotExist();
    }

    @Test
    void releasedServerDeliversMailAndStopsWithExitZeroOnSigterm() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home/conf"));
        int smtp = freePort();
        int admin = freePort();
        Files.writeString(home.resolve("mailroot.yaml"), "smtp:\n  port: " + smtp + "\nadmin:\n  port: " + admin + "\n");
        home = home.getParent();
        Map<String, String> env = Map.of("MAILROOT_HOME", home.toString());
        Path run = Files.createDirectories(dir.resolve("run"));

        Process server = Command.start(run, env, List.of(release.resolve("bin/mailroot").toString()));
        try {
            Command wait = Command.run(run, env, List.of(release.resolve("bin/mailroot").toString(), "wait", "--timeout", "90"));
            assertThat(wait.exit()).as(wait.err()).isZero();
            assertThat(wait.out()).contains("mailroot: ready: SMTP 127.0.0.1:" + smtp, "home " + home);

            Command swaks = Command.run(run, Map.of(), List.of("swaks", "--server", "127.0.0.1:" + smtp,
                    "--from", "alice@example.org", "--to", "bob@localhost", "--h-Subject", "from the release"));
            assertThat(swaks.exit()).as(swaks.out()).isZero();

            Path inbox = home.resolve("mailroot/mailboxes/bob/Maildir/new");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(inbox) && count(inbox) == 1);
        } finally {
            server.destroy(); // SIGTERM
        }
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as(Files.readString(run.resolve("mailroot.err"), StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void installShPutsTheReleaseTheUnitAndTheCommandsInPlaceAndKeepsThePreviousRelease() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Map<String, String> env = Map.of("MAILROOT_INSTALL_ROOT", root.toString());
        List<String> install = List.of(release.resolve("packaging/install.sh").toString());

        Command first = Command.run(dir, env, install);
        Command second = Command.run(dir, env, install);

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("kept in /opt/mailroot.previous");
        assertThat(root.resolve("opt/mailroot/bin/mailroot")).isExecutable();
        assertThat(root.resolve("opt/mailroot.previous/lib/server/mailroot-server.jar")).isRegularFile();
        assertThat(root.resolve("var/lib/mailroot")).isDirectory();
        Path unit = root.resolve("etc/systemd/system/mailroot.service");
        assertThat(unit).hasSameTextualContentAs(Command.REPO.resolve("packaging/mailroot.service"));
        assertThat(Files.readString(root.resolve("usr/local/bin/mailroot-registry")))
                .contains("MAILROOT_HOME=/var/lib/mailroot", "runuser -u mailroot -- /opt/mailroot/bin/registry");
        // the unit as installed, its /opt/mailroot taken to be root's: systemd finds the real launcher there
        Path moved = dir.resolve("mailroot.service");
        Files.writeString(moved, Files.readString(unit).replace("/opt/mailroot", root.resolve("opt/mailroot").toString()));
        Command verify = Command.run(dir, "systemd-analyze", "verify", moved.toString());
        assertThat(verify.out() + verify.err()).isEmpty();
        assertThat(verify.exit()).isZero();
    }

    private static long count(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
