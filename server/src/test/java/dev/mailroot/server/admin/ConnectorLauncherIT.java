package dev.mailroot.server.admin;

import dev.mailroot.server.Launcher;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/mailroot connector <plugin-id> <command> [--param k=v]} as an administrator runs it:
 * the real launcher in a child process, its stdout, stderr and exit code, with the server stopped
 * (offline) and running (through the admin endpoint). The plugin is a test plugin, so nothing here
 * depends on a bundled plugin: the server names none.
 */
class ConnectorLauncherIT {

    @TempDir
    Path home;
    @TempDir
    Path work;

    @BeforeEach
    void echoPlugin() throws Exception {
        PluginJarBuilder.plugin("echo").version("1.2.3").source("echo.EchoService", TestPlugins.echoService("echo", "1.2.3"))
                .build(work, home.resolve("plugins/echo.jar"));
    }

    private Launcher.Run connector(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "connector";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--home";
        all[args.length + 2] = home.toString();
        return Launcher.run("mailroot", work, all);
    }

    @Test
    void withTheServerStoppedTheCommandRunsOfflineFromTheJarTheServerWouldLoad() throws Exception {
        Launcher.Run r = connector("echo", "echo", "--param", "account=carol-isp", "--param", "note=a b=c");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("offline 1.2.3 {account=carol-isp, note=a b=c}\n");

        Launcher.Run failed = connector("echo", "fail");
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.out()).isEqualTo("failed as asked\nsecond line\n");
        assertThat(failed.err()).isEmpty();
    }

    @Test
    void unknownPluginUnknownCommandAndBadInputEachHaveOneLineAndTheirOwnExitCode() throws Exception {
        Launcher.Run noPlugin = connector("nosuch", "echo");
        assertThat(noPlugin.exit()).isEqualTo(3);
        assertThat(noPlugin.out()).isEmpty();
        assertThat(noPlugin.err()).startsWith("mailroot: no plugin 'nosuch' in [").endsWith("]\n").hasLineCount(1);

        Launcher.Run noCommand = connector("echo", "nope");
        assertThat(noCommand.exit()).isEqualTo(4);
        assertThat(noCommand.out()).isEmpty();
        assertThat(noCommand.err()).isEqualTo("mailroot: plugin 'echo': unknown command 'nope'\n");

        Launcher.Run badParam = connector("echo", "echo", "--param", "account");
        assertThat(badParam.exit()).isEqualTo(2);
        assertThat(badParam.out()).isEmpty();
        assertThat(badParam.err()).isEqualTo("mailroot: --param 'account' is not NAME=VALUE\n");

        Launcher.Run emptyName = connector("echo", "echo", "--param", "=x");
        assertThat(emptyName.exit()).isEqualTo(2);
        assertThat(emptyName.err()).startsWith("mailroot: --param '=x': the name must be").hasLineCount(1);

        Launcher.Run control = connector("ec\u001b[31mho", "echo");
        assertThat(control.exit()).isEqualTo(2);
        assertThat(control.err()).isEqualTo("mailroot: 'ec\\x1b[31mho' contains a control character\n");
        assertThat(Files.readString(work.resolve("mailroot.err"), StandardCharsets.UTF_8)).doesNotContain("\u001b");

        Launcher.Run missing = connector("echo");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required parameter: 'COMMAND'").doesNotContain("Exception");
    }

    @Test
    void withTheServerRunningTheCommandRunsInTheServersStartedService() throws Exception {
        try (TestServer server = TestServer.startWithPlugins(home, "plugins: {bundled: false}\n")) {
            Launcher.Run r = connector("echo", "echo", "--param", "k=v");
            assertThat(r.err()).isEmpty();
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("in the server 1.2.3 {k=v}\n");

            Launcher.Run failed = connector("echo", "fail");
            assertThat(failed.exit()).isEqualTo(1);
            assertThat(failed.out()).isEqualTo("failed as asked\nsecond line\n");

            Launcher.Run noPlugin = connector("nosuch", "echo");
            assertThat(noPlugin.exit()).isEqualTo(3);
            assertThat(noPlugin.out()).isEmpty();
            assertThat(noPlugin.err()).startsWith("mailroot: no plugin 'nosuch' with a service runs in the server of ")
                    .hasLineCount(1);

            Launcher.Run noCommand = connector("echo", "nope");
            assertThat(noCommand.exit()).isEqualTo(4);
            assertThat(noCommand.err()).isEqualTo("mailroot: plugin 'echo': unknown command 'nope'\n");

            Launcher.Run threw = connector("echo", "boom");
            assertThat(threw.exit()).isEqualTo(1);
            assertThat(threw.out()).isEmpty();
            assertThat(threw.err()).isEqualTo("mailroot: plugin 'echo' boom: the command failed: "
                    + "java.lang.IllegalStateException: boom\n");
        }
    }

    @Test
    void helpNamesTheConnectorCommandAndItsExitCodes() throws Exception {
        Launcher.Run top = Launcher.run("mailroot", work, "--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("connector", "pop3-check", "retrieve");
        Launcher.Run help = Launcher.run("mailroot", work, "connector", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: mailroot connector").contains("PLUGIN-ID", "COMMAND", "--param=NAME=VALUE",
                "Exit codes:", "unknown plugin", "unknown command");
    }
}
