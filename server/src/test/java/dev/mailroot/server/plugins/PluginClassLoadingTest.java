package dev.mailroot.server.plugins;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.mailroot.server.plugins.PluginSteps.bind;
import static dev.mailroot.server.plugins.PluginSteps.delivered;
import static dev.mailroot.server.plugins.PluginSteps.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Which classes and which context class loader a real plugin jar's code gets. */
class PluginClassLoadingTest {

    @TempDir
    Path work;
    @TempDir
    Path home;

    @Test
    void everyPieceOfPluginCodeRunsUnderThePluginsContextClassLoaderFromStartToUnload() throws Exception {
        Path report = work.resolve("probe-report.txt");
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("probe").manifest("Plugin-Class", "probe.ProbePlugin")
                .sources(TestPlugins.probe(report)).build(work, plugins.resolve("probe.jar"));
        bind(home, "probe", "probe.ProbeSink", null, 10, Map.of());
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            send(server, "bob@localhost");
            delivered(server, "bob", 1);
            Files.delete(plugins.resolve("probe.jar"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.containing("MR4005 plugin 'probe'").isEmpty());
        }
        assertThat(Files.readAllLines(report)).containsExactly(
                "plugin constructor: plugin",
                "plugin start: plugin",
                "sink constructor: plugin",
                "service constructor: plugin",
                "service start: plugin",
                "sink call: plugin",
                "service stop: plugin",
                "plugin stop: plugin");
    }
}
