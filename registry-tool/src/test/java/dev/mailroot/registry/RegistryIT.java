package dev.mailroot.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/registry as administrators and scripts run it: exit codes and one-line errors. */
class RegistryIT {

    @TempDir
    Path home;

    private static final Path REPO = Path.of(System.getProperty("mailroot.repo", "..")).toAbsolutePath().normalize();

    record Run(int exit, String out, String err) {
    }

    private Run registry(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("bin/registry").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void versionIsTheBuildsVersionAsForBinMailroot() throws Exception {
        Run v = registry("--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).isEqualTo("Mailroot registry " + System.getProperty("mailroot.version") + "\n");
    }

    @Test
    void exitCodesAreZeroOneAndTwoWithOneLineErrors() throws Exception {
        Run add = registry("add", "OnSubmission", "x", "com.example.Sink", "--force", "--home", home.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).contains("** SUCCESS **");

        Run verify = registry("verify", "--home", home.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("sink class not provided by any plugin");

        Run bad = registry("add", "OnSubmission", "y", "com.example.Sink", "RCPT TO=;", "--force", "--home", home.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("registry: rule").doesNotContain("\n", "Exception");

        Run usage = registry("setprop", "x");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err().strip()).doesNotContain("\n").contains("Missing required parameter");

        // the current folder is the default home, as for bin/mailroot
        Run here = registry("/enum");
        assertThat(here.exit()).isZero();
        assertThat(here.out()).contains("Name: x");
    }
}
