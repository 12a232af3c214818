package dev.mailroot.kit;

import dev.mailroot.server.ChildServer;
import dev.mailroot.server.Launcher;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/writing-a-sink.md, done as a plugin author does it: the example project is copied to a
 * folder outside the checkout and built there with a nested {@code mvn -o -B package} against the
 * kit as installed (a local repository holding the kit's artifacts, copied from this build's
 * modules, and everything else the outer build resolved); its own unit tests run in that build.
 * The jar goes into the {@code plugins/} of a server started with {@code bin/mailroot}, is bound
 * with {@code bin/registry}, and mail sent over SMTP arrives changed as the doc says.
 */
class ExamplePluginIT {
    private static final Path REPO = Launcher.REPO;
    private static final String VERSION = System.getProperty("mailroot.version", "1.0.0-SNAPSHOT");
    private static final Path MAVEN_HOME = Path.of(System.getProperty("kit.maven.home", "/usr/share/maven"));
    private static final Path LOCAL_REPOSITORY = Path.of(System.getProperty("kit.local.repository",
            System.getProperty("user.home") + "/.m2/repository"));

    @TempDir
    Path work;

    @Test
    void theDocsExampleBuildsOutsideTheCheckoutAgainstTheInstalledKitAndTagsMailInARealServer() throws Exception {
        Path project = work.resolve("tag-sink");
        copyTree(REPO.resolve("docs/examples/tag-sink"), project);
        Path m2 = kitRepository(work.resolve("m2"));
        long started = System.nanoTime();
        Launcher.Run build;
        try {
            build = mvn(project, m2, "-o", "-B", "package");
        } finally {
            unlink(m2); // the links lead into the real local repository: the temporary folder's clean-up must not follow them
        }
        System.out.printf("nested build of the example: %d s%n", (System.nanoTime() - started) / 1_000_000_000L);
        assertThat(build.exit()).as(build.out()).isZero();
        assertThat(build.out()).as("the example's own tests ran").containsPattern("Tests run: [1-9]\\d*, Failures: 0, Errors: 0, Skipped: 0");

        Path jar = project.resolve("target/tag-sink-1.0.0.jar");
        try (JarFile j = new JarFile(jar.toFile())) {
            var main = j.getManifest().getMainAttributes();
            assertThat(main.getValue("Plugin-Id")).isEqualTo("tag");
            assertThat(main.getValue("Plugin-Version")).isEqualTo("1.0.0");
            assertThat(main.getValue("Plugin-Provider")).isEqualTo("Example Ltd");
            assertThat(main.getValue("Plugin-Requires")).startsWith(">=");
            assertThat(new String(j.getInputStream(j.getEntry("META-INF/extensions.idx")).readAllBytes(), StandardCharsets.UTF_8))
                    .contains("com.example.tag.TagSink", "com.example.tag.ScoreSink", "com.example.tag.PolicySink");
            assertThat(j.stream().map(e -> e.getName())).noneMatch(n -> n.startsWith("dev/mailroot/"));
        }

        Path home = work.resolve("home");
        Files.createDirectories(home.resolve("conf"));
        int smtpPort = ChildServer.freePort();
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + smtpPort + "}\nadmin: {port: 0}\n");
        Process server = Launcher.start("mailroot", home, Map.of(), "--home", home.toString());
        try {
            Launcher.Run wait = Launcher.run("mailroot", home, "wait", "--home", home.toString(), "--timeout", "120");
            assertThat(wait.exit()).as(wait.err()).isZero();

            Files.copy(jar, home.resolve("plugins/tag-1.0.0.jar"));
            Path log = home.resolve("logs/mailroot.log");
            // loaded, its default binding registered, and the bindings read again with it
            await().atMost(Duration.ofSeconds(60)).until(() -> after(Files.readString(log), "MR4006 plugin 'tag'").contains("MR4004"));

            int offset = Files.readString(log).length();
            Launcher.Run add = Launcher.run("registry", home, "add", "OnSubmission", "Tag mail from the boss",
                    "com.example.tag.TagSink", "MAIL FROM=boss@*", "--priority", "500",
                    "--prop", "header=X-Priority", "--prop", "value=1", "--home", home.toString());
            assertThat(add.exit()).as(add.out() + add.err()).isZero();
            // the server has read the file registry wrote: its MR4004 line counts every binding in it
            int total = new dev.mailroot.bindings.BindingStore(home.resolve("conf/bindings.yaml")).read().bindings().size();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).substring(offset)
                    .contains(" of " + total + "\n"));

            try (SmtpClient smtp = new SmtpClient(smtpPort)) {
                smtp.send("EHLO c");
                assertThat(smtp.sendMail("boss@example.com", List.of("sales@localhost"), "Subject: one\r\n\r\nx\r\n")).startsWith("250");
                assertThat(smtp.sendMail("someone@example.org", List.of("bob@localhost"), "Subject: two\r\n\r\ny\r\n")).startsWith("250");
            }
            Path boxes = home.resolve("mailroot/mailboxes");
            await().atMost(Duration.ofSeconds(20)).until(() -> TestServer.delivered(boxes).size() == 2);
            String sales = Files.readString(only(boxes.resolve("sales/Maildir/new")));
            String bob = Files.readString(only(boxes.resolve("bob/Maildir/new")));
            // stored as Postfix and Dovecot store mail: LF line ends (mailboxes.lineEnding)
            assertThat(sales).contains("\nX-Team: sales\n").contains("\nX-Priority: 1\n").endsWith("\n\nx\n").doesNotContain("\r");
            assertThat(bob).doesNotContain("X-Team", "X-Priority").endsWith("\n\ny\n");
        } finally {
            server.destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A local repository: the outer build's, by links, except {@code dev/mailroot}, which holds the kit as installed. */
    private static Path kitRepository(Path m2) throws IOException {
        Files.createDirectories(m2.resolve("dev"));
        for (Path entry : list(LOCAL_REPOSITORY)) {
            if (!entry.getFileName().toString().equals("dev")) {
                Files.createSymbolicLink(m2.resolve(entry.getFileName().toString()), entry);
            }
        }
        for (Path entry : list(LOCAL_REPOSITORY.resolve("dev"))) {
            if (!entry.getFileName().toString().equals("mailroot")) {
                Files.createSymbolicLink(m2.resolve("dev").resolve(entry.getFileName().toString()), entry);
            }
        }
        Path kit = m2.resolve("dev/mailroot");
        install(kit, "mailroot-parent", REPO.resolve("pom.xml"), false);
        install(kit, "mailroot-plugin-parent", REPO.resolve("sinks/plugin-parent/pom.xml"), false);
        install(kit, "mailroot-sink-api", REPO.resolve("sinks/api/pom.xml"), true, "sources", "javadoc");
        install(kit, "mailroot-host", REPO.resolve("host/pom.xml"), true);
        install(kit, "mailroot-sink-testkit", REPO.resolve("sinks/testkit/pom.xml"), true, "sources", "javadoc");
        return m2;
    }

    private static void unlink(Path m2) throws IOException {
        for (Path p : list(m2.resolve("dev"))) {
            if (Files.isSymbolicLink(p)) {
                Files.delete(p);
            }
        }
        for (Path p : list(m2)) {
            if (Files.isSymbolicLink(p)) {
                Files.delete(p);
            }
        }
    }

    /** Puts a module's pom (and jars, from its target/) where {@code mvn install} puts them. */
    private static void install(Path kit, String artifactId, Path pom, boolean jar, String... classifiers) throws IOException {
        Path dir = Files.createDirectories(kit.resolve(artifactId).resolve(VERSION));
        String base = artifactId + "-" + VERSION;
        Files.copy(pom, dir.resolve(base + ".pom"));
        if (jar) {
            Path built = pom.resolveSibling("target").resolve(base + ".jar");
            assertThat(built).as("built by the outer build").isRegularFile();
            Files.copy(built, dir.resolve(base + ".jar"));
        }
        for (String classifier : classifiers) {
            Path attached = pom.resolveSibling("target").resolve(base + "-" + classifier + ".jar");
            assertThat(attached).as("the kit is published with its %s", classifier).isRegularFile();
            Files.copy(attached, dir.resolve(attached.getFileName()));
        }
    }

    private static Launcher.Run mvn(Path dir, Path m2, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(MAVEN_HOME.resolve("bin/mvn").toString(), "-Dmaven.repo.local=" + m2));
        cmd.addAll(List.of(args));
        Path out = dir.resolveSibling("mvn.out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("MAVEN_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the nested build did not finish within 5 minutes:\n" + Files.readString(out));
        }
        return new Launcher.Run(p.exitValue(), Files.readString(out), "");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static Path only(Path dir) throws IOException {
        List<Path> files = list(dir);
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    private static String after(String text, String marker) {
        int i = text.indexOf(marker);
        return i < 0 ? "" : text.substring(i + marker.length());
    }
}
