package dev.mailroot.packaging;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When bin/mailroot and bin/registry must not build: with {@code MAILROOT_NO_BUILD=1} in a source tree
 * whose jars are missing, and in a folder that is neither a release nor a source tree. Run on a copy of
 * bin/ in a temp folder, with an mvn first on PATH that leaves a mark if it is called.
 */
class LauncherNoBuildTest {
    @TempDir
    Path dir;
    private Path tree;
    private Path mark;
    private Map<String, String> env;

    @BeforeEach
    void copyTheLaunchers() throws Exception {
        tree = Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(tree.resolve("bin/lib"));
        for (String f : List.of("bin/mailroot", "bin/registry", "bin/lib/ensure-built.sh")) {
            Files.copy(Command.REPO.resolve(f), tree.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        mark = dir.resolve("mvn-was-called");
        Path mvn = fakeBin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\ntouch '" + mark + "'\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = Map.of("PATH", fakeBin + ":" + System.getenv("PATH"));
    }

    @Test
    void noBuildInASourceTreeWithoutJarsSaysHowToBuildInsteadOfBuilding() throws Exception {
        Files.writeString(tree.resolve("pom.xml"), "<project/>\n");
        Map<String, String> noBuild = new HashMap<>(env);
        noBuild.put("MAILROOT_NO_BUILD", "1");

        Command mailroot = Command.run(dir, noBuild, List.of(tree.resolve("bin/mailroot").toString(), "--version"));
        Command registry = Command.run(dir, noBuild, List.of(tree.resolve("bin/registry").toString(), "--version"));

        assertThat(mailroot.exit()).isEqualTo(1);
        assertThat(mailroot.err().strip()).isEqualTo("mailroot: " + tree.resolve("server/target/mailroot-server.jar")
                + " is missing and MAILROOT_NO_BUILD=1 forbids building: run mvn -B -DskipTests package in " + tree);
        assertThat(registry.exit()).isEqualTo(1);
        assertThat(registry.err()).contains("registry-tool/target/mailroot-registry.jar is missing and MAILROOT_NO_BUILD=1");
        assertThat(mark).doesNotExist();
        assertThat(tree.resolve("target")).doesNotExist();
    }

    @Test
    void aFolderThatIsNeitherAReleaseNorASourceTreeIsNamedAsSuch() throws Exception {
        Command mailroot = Command.run(dir, env, List.of(tree.resolve("bin/mailroot").toString(), "--version"));

        assertThat(mailroot.exit()).isEqualTo(1);
        assertThat(mailroot.err().strip()).isEqualTo("mailroot: " + tree
                + " is neither a release (no lib/server/mailroot-server.jar) nor a source tree (no pom.xml)");
        assertThat(mark).doesNotExist();
    }
}
