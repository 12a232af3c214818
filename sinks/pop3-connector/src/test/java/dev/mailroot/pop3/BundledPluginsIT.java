package dev.mailroot.pop3;

import dev.mailroot.server.ChildServer;
import dev.mailroot.server.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new home started with the real {@code bin/mailroot --home DIR}, as the production layout in
 * docs/operations.md does: its {@code plugins/} is empty, and the plugins bundled with Mailroot (the
 * POP3 connector and stamp, which the build has just put into the distribution's {@code plugins/})
 * load all the same, and say from where.
 */
class BundledPluginsIT {

    @TempDir
    Path home;

    @Test
    void aNewHomeGetsTheBundledPluginsAndTheLogAndRegistrySayFromWhere() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + ChildServer.freePort() + "}\nadmin: {port: 0}\n");
        Process server = Launcher.start("mailroot", home, Map.of(), "--home", home.toString());
        try {
            Launcher.Run wait = Launcher.run("mailroot", home, "wait", "--home", home.toString(), "--timeout", "120");
            assertThat(wait.exit()).as(wait.err()).isZero();
            assertThat(home.resolve("plugins")).isEmptyDirectory();
            Path bundled = Launcher.REPO.resolve("plugins");
            // the services have started once the registry's view shows them loaded
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                    Launcher.run("registry", home, "sinks", "--home", home.toString()).out().contains("Server: loaded"));
            Launcher.Run sinks = Launcher.run("registry", home, "sinks", "--home", home.toString());
            assertThat(sinks.exit()).as(sinks.err()).isZero();
            assertThat(sinks.out()).startsWith("status from the running server (127.0.0.1:")
                    .contains("Plugin: pop3-connector ", "Plugin: stamp ", "bundled: " + bundled)
                    .doesNotContain("Server: does not load");
            String log = Files.readString(home.resolve("logs/mailroot.log"));
            assertThat(log).contains("MR4001 plugin 'pop3-connector'", "MR4001 plugin 'stamp'", "from " + bundled, "(bundled)");
            Launcher.Run enumerated = Launcher.run("registry", home, "enum", "--home", home.toString());
            assertThat(enumerated.out()).contains("Name: POP3 Connector Event Sink", "Status: ok");
        } finally {
            server.destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(server.exitValue()).isZero();
    }
}
