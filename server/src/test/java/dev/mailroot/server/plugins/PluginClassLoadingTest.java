package dev.mailroot.server.plugins;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import dev.mailroot.sink.SinkStatus;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.mailroot.sink.CommandResult;
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
            // an administrator's command is running when the jar goes: the plugin is unloaded only after it
            Path release = work.resolve("release");
            CompletableFuture<Optional<CommandResult>> command = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.server().plugins().command("probe", "hold", Map.of("release", release.toString()));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(report).contains("service command"));
            Files.delete(plugins.resolve("probe.jar"));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(report).contains("service stop"));
            assertThat(logs.containing("MR4005 plugin 'probe'")).isEmpty(); // still waiting for the command
            assertThat(server.server().plugins().command("probe", "hold", Map.of("release", release.toString())))
                    .isEmpty(); // a new command is refused once the unload began
            Files.writeString(release, "go");
            assertThat(command.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.report()).isEqualTo("held"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.containing("MR4005 plugin 'probe'").isEmpty());
        }
        assertThat(Files.readAllLines(report)).containsExactly(
                "plugin constructor: plugin",
                "plugin start: plugin",
                "sink constructor: plugin",
                "service constructor: plugin",
                "service start: plugin",
                "sink call: plugin",
                "service command: plugin",
                "service stop: plugin",
                "plugin stop: plugin");
    }

    @Test
    void aJarBundlingCopiesOfTheApiAndJakartaMailIsToldOnceAndItsSinkUsesTheHostsClasses() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("bundles").source("bundles.BundlingSink", TestPlugins.BUNDLING_SINK)
                .copyOf(SinkStatus.class).copyOf(MimeMessage.class).build(work, plugins.resolve("bundles.jar"));
        bind(home, "bundling", "bundles.BundlingSink", null, 10, Map.of());
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(server.server().plugins().loadedPlugins()).contains("bundles");
            send(server, "bob@localhost");
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 2))
                    .contains("X-Api-From: host\r\nX-Mail-From: host\r\nX-Subject: to bob@localhost\r\n");
            assertThat(logs.containing("MR4011")).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("'bundles'", "bundles.jar", "dev.mailroot.sink.SinkStatus",
                            "jakarta.mail.internet.MimeMessage", "provided"));
            assertThat(logs.containing("MR2001")).isEmpty();
        }
    }
}
