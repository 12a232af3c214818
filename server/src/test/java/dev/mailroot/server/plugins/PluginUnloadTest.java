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
import static dev.mailroot.server.plugins.PluginSteps.dropIn;
import static dev.mailroot.server.plugins.PluginSteps.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Removing a plugin jar while mail is flowing: no call broken, no message lost or stuck. */
class PluginUnloadTest {

    private static final String ACTION = "test.sinks.ActionSink";

    @TempDir
    Path work;
    @TempDir
    Path home;

    /** Binds the action sink to hang on {@code rcpt} until {@code release} exists, well within its time limit. */
    private void bindSlow(String rcpt, Path release) throws Exception {
        bind(home, "slow", ACTION, "RCPT TO=" + rcpt, 10,
                Map.of("action", "hang", "timeoutMs", "20000", "release", release.toString()));
    }

    @Test
    void aJarRemovedDuringACallIsUnloadedOnlyOnceTheCallHasFinishedAndTheMessageIsDelivered() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("action").source(ACTION, TestPlugins.ACTION_SINK).build(work, plugins.resolve("action.jar"));
        Path release = work.resolve("release");
        bindSlow("slow@*", release);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            LoadedSink slow = server.server().plugins().catalog().sink(ACTION).orElseThrow();
            String id = send(server, "slow@localhost");
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.calls().running() == 1);

            Files.delete(plugins.resolve("action.jar"));
            // the host has seen the jar go (no new call can start) ...
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.server().plugins().loadedPlugins().contains("action"));
            // ... but waits for the call in flight
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                    .until(() -> logs.containing("MR4005").isEmpty() && slow.calls().running() == 1);

            Files.writeString(release, "go");
            assertThat(delivered(server, "slow", 1)).contains("X-Half: made\r\nX-Late: too late\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.containing("MR4005 plugin 'action'").isEmpty());
            assertThat(slow.calls().running()).isZero();
            assertThat(logs.containing("MR2001")).isEmpty();
            assertThat(logs.containing("MR2003")).isEmpty();
            assertThat(logs.containing("MR3001")).anySatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("msgId", id));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().spool().size() == 0);
        }
    }

    @Test
    void aSinkWhosePluginIsUnloadedAfterTheMessagesChainWasChosenIsSkippedLikeAMissingSinkNotCountedAsAFailure()
            throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("action").source(ACTION, TestPlugins.ACTION_SINK).build(work, plugins.resolve("action.jar"));
        // its sink loads a class of its own on its first call, which an unloaded plugin can no longer do
        Path late = PluginJarBuilder.plugin("greet-late").source("late.GreetingSink", TestPlugins.greetingSink("late"))
                .source("shared.Greeting", TestPlugins.greeting("hello")).build(work, work.resolve("late.jar"));
        dropIn(late, plugins, "late.jar");
        Path release = work.resolve("release");
        bindSlow("race*@*", release);
        bind(home, "later", "late.GreetingSink", "RCPT TO=race*@*", 20, Map.of());
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            LoadedSink slow = server.server().plugins().catalog().sink(ACTION).orElseThrow();
            send(server, "race1@localhost");
            // race1's chain (slow, then later) is chosen and its first call is running
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.calls().running() == 1);
            Files.delete(plugins.resolve("late.jar"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.containing("MR4005 plugin 'greet-late'").isEmpty());

            Files.writeString(release, "go");
            assertThat(delivered(server, "race1", 1)).contains("X-Late: too late").doesNotContain("X-Greeting");
            assertThat(logs.containing("MR2005")).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("'later'", "late.GreetingSink", "greet-late"));
            assertThat(logs.containing("MR2001")).isEmpty();
            assertThat(logs.containing("MR2004")).isEmpty();

            // the plugin comes back: the binding was never disabled and works again
            dropIn(late, plugins, "late.jar");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().plugins().loadedPlugins().contains("greet-late"));
            send(server, "race2@localhost");
            assertThat(delivered(server, "race2", 1)).contains("X-Late: too late", "X-Greeting: hello");
        }
    }

    @Test
    void aSinkWhosePluginIsReplacedByANewerVersionWhileTheMessagesChainRunsIsCalledInTheNewVersion() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("action").source(ACTION, TestPlugins.ACTION_SINK).build(work, plugins.resolve("action.jar"));
        PluginJarBuilder.plugin("greet").version("1.0.0").source("g.GreetingSink", TestPlugins.greetingSink("g"))
                .source("shared.Greeting", TestPlugins.greeting("version 1")).build(work, plugins.resolve("greet-1.jar"));
        Path two = PluginJarBuilder.plugin("greet").version("2.0.0").source("g.GreetingSink", TestPlugins.greetingSink("g"))
                .source("shared.Greeting", TestPlugins.greeting("version 2")).build(work, work.resolve("greet-2.jar"));
        Path release = work.resolve("release");
        bindSlow("race*@*", release);
        bind(home, "later", "g.GreetingSink", "RCPT TO=race*@*", 20, Map.of());
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            LoadedSink slow = server.server().plugins().catalog().sink(ACTION).orElseThrow();
            send(server, "race1@localhost");
            // race1's chain (slow, then later in version 1) is chosen and its first call is running
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.calls().running() == 1);
            dropIn(two, plugins, "greet-2.jar");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR4005 plugin 'greet' 1.0.0").isEmpty());

            Files.writeString(release, "go");
            // no gap: the binding runs in the version that provides the class now
            assertThat(delivered(server, "race1", 1)).contains("X-Greeting: version 2");
            assertThat(logs.containing("MR2005")).isEmpty();
        }
    }
}
