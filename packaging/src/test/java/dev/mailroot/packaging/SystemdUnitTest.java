package dev.mailroot.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * packaging/mailroot.service as systemd reads it, offline ({@code systemd-analyze}; PID 1 need not be
 * systemd): the unit parses without a warning, and its sandbox keeps the overall exposure at 2.5 or less.
 * The unit names {@code /opt/mailroot/bin/mailroot}, which {@code verify} requires to exist and be
 * executable: the copy checked here points at a stub in a temp folder instead.
 */
class SystemdUnitTest {
    private static final Path UNIT = Command.REPO.resolve("packaging/mailroot.service");

    @TempDir
    Path dir;

    @BeforeAll
    static void systemdAnalyzeIsInstalled() throws Exception {
        Command.require("systemd-analyze", "systemd");
    }

    @Test
    void unitPassesSystemdAnalyzeVerifyWithoutAWarning() throws Exception {
        Path unit = installed(Files.readString(UNIT, StandardCharsets.UTF_8));

        Command verify = Command.run(dir, "systemd-analyze", "verify", unit.toString());

        assertThat(verify.out() + verify.err()).isEmpty();
        assertThat(verify.exit()).isZero();
    }

    @Test
    void verifyWouldReportAnUnquotedJavaOptionsAssignment() throws Exception {
        // the mistake the draft unit made: the value split at its spaces, -Xmx512m ignored
        String unquoted = Files.readString(UNIT, StandardCharsets.UTF_8)
                .replace("Environment=\"MAILROOT_JAVA_OPTS=-Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError\"",
                        "Environment=MAILROOT_JAVA_OPTS=-Xms64m -Xmx512m");
        Path unit = installed(unquoted);

        Command verify = Command.run(dir, "systemd-analyze", "verify", unit.toString());

        assertThat(verify.err()).contains("Invalid environment assignment, ignoring: -Xmx512m");
    }

    @Test
    void sandboxKeepsTheExposureAtOrBelow2point5AndLeavesTheJitItsExecutableMemory() throws Exception {
        Path unit = installed(Files.readString(UNIT, StandardCharsets.UTF_8));

        Command security = Command.run(dir, "systemd-analyze", "security", "--offline=yes", "--no-pager",
                unit.toString());

        Matcher m = Pattern.compile("Overall exposure level for mailroot\\.service: (\\d+\\.\\d+)").matcher(security.out());
        assertThat(m.find()).as("systemd-analyze security printed:%n%s%s", security.out(), security.err()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(security.out()).isLessThanOrEqualTo(2.5);
        // MemoryDenyWriteExecute=yes would score better and stop the JVM: its JIT writes executable code
        assertThat(security.out()).containsPattern("✗ MemoryDenyWriteExecute=");
        assertThat(security.out()).containsPattern("✓ User=/DynamicUser= +Service runs under a static non-root user identity");
    }

    /** The unit with /opt/mailroot replaced by a temp folder holding an executable bin/mailroot stub. */
    private Path installed(String unitText) throws Exception {
        Path opt = dir.resolve("opt/mailroot");
        Path launcher = opt.resolve("bin/mailroot");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = dir.resolve("mailroot.service");
        Files.writeString(unit, unitText.replace("/opt/mailroot", opt.toString()), StandardCharsets.UTF_8);
        return unit;
    }
}
