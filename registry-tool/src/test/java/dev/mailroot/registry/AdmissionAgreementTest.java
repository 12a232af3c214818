package dev.mailroot.registry;

import dev.mailroot.server.Main;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.plugins.PluginHost;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry, the server's plugin host and the offline commands make the same admission
 * decision for the same jars, because they call the same code ({@code dev.mailroot.host.plugins}):
 * two versions of one plugin, two jars of one version, an unsatisfied {@code Plugin-Requires}, a
 * jar whose code can end the process, a jar that is not a plugin, and a file that is not a jar.
 */
class AdmissionAgreementTest {

    @TempDir
    Path home;
    @TempDir
    Path work;

    @BeforeEach
    void jars() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("dup").version("1.0.0").source("dup.EchoService", TestPlugins.echoService("dup", "1.0.0"))
                .build(work, plugins.resolve("dup-1.0.0.jar"));
        PluginJarBuilder.plugin("dup").version("2.0.0").source("dup.EchoService", TestPlugins.echoService("dup", "2.0.0"))
                .build(work, plugins.resolve("dup-2.0.0.jar"));
        PluginJarBuilder.plugin("twin").source("twin.EchoService", TestPlugins.echoService("twin", "a"))
                .build(work, plugins.resolve("twin-a.jar"));
        PluginJarBuilder.plugin("twin").source("twin.EchoService", TestPlugins.echoService("twin", "b"))
                .build(work, plugins.resolve("twin-b.jar"));
        PluginJarBuilder.plugin("future").manifest("Plugin-Requires", ">=9.0.0")
                .source("future.EchoService", TestPlugins.echoService("future", "9")).build(work, plugins.resolve("future.jar"));
        PluginJarBuilder.plugin("quits").source("quits.EchoService", TestPlugins.echoService("quits", "1"))
                .source("quits.Quit", "package quits; public class Quit { static void now() { System.exit(1); } }")
                .build(work, plugins.resolve("quits.jar"));
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(plugins.resolve("library.jar")); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.closeEntry();
        }
        Files.writeString(plugins.resolve("notes.txt"), "not a jar name: no one looks at it");
    }

    /** What {@code registry} makes of each jar, read from the files: "loads", "not used" or the refusal. */
    private Map<String, String> registryView() {
        Map<String, String> view = new TreeMap<>();
        HomeOption option = new HomeOption();
        option.home = home;
        for (PluginJar j : option.jars()) {
            view.put(j.jar().getFileName().toString(), j.loads() ? "loads" : j.error().startsWith("not used") ? "not used" : j.error());
        }
        return view;
    }

    /** What the running server made of each jar, in the same terms. */
    private static Map<String, String> serverView(PluginHost host) {
        Map<String, String> view = new TreeMap<>();
        for (PluginHost.JarState s : host.jars()) {
            view.put(s.jar().getFileName().toString(), switch (s.state()) {
                case "loaded" -> "loads";
                case "not used" -> "not used";
                default -> s.detail();
            });
        }
        return view;
    }

    private String mailroot(String... args) {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true)).execute(args);
        return exit + "\n" + out;
    }

    @Test
    void registryServerAndOfflineCommandsChooseTheSameJars() throws Exception {
        Map<String, String> registry = registryView();
        assertThat(registry).containsOnlyKeys("dup-1.0.0.jar", "dup-2.0.0.jar", "twin-a.jar", "twin-b.jar", "future.jar",
                "quits.jar", "library.jar");
        assertThat(registry).containsEntry("dup-2.0.0.jar", "loads").containsEntry("dup-1.0.0.jar", "not used")
                .containsEntry("twin-a.jar", "loads").containsEntry("twin-b.jar", "not used")
                .containsEntry("future.jar", "requires Mailroot >=9.0.0; this is 1.0.0")
                .containsEntry("library.jar", "no Plugin-Id in its manifest");
        assertThat(registry.get("quits.jar")).startsWith("its code can end the server's process: quits.Quit calls java.lang.System.exit");
        // offline, the command goes to the jar the registry says loads
        assertThat(mailroot("connector", "dup", "echo", "--home", home.toString())).isEqualTo("0\noffline 2.0.0 {}\n");
        assertThat(mailroot("connector", "twin", "echo", "--home", home.toString())).isEqualTo("0\noffline a {}\n");
        assertThat(mailroot("connector", "future", "echo", "--home", home.toString())).startsWith("3\nmailroot: no plugin 'future' in");

        try (TestServer server = TestServer.startWithPlugins(home, "plugins: {bundled: false}\n")) {
            assertThat(serverView(server.server().plugins())).isEqualTo(registry);
            assertThat(mailroot("connector", "dup", "echo", "--home", home.toString())).isEqualTo("0\nin the server 2.0.0 {}\n");
            assertThat(mailroot("connector", "twin", "echo", "--home", home.toString())).isEqualTo("0\nin the server a {}\n");
        }
    }
}
