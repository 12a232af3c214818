package dev.mailroot.server.plugins;

import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import dev.mailroot.sink.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A plugin command that hangs (a connector stuck on a dead server) must not hang whoever asked: the
 * caller gets an answer after its limit, and the admin endpoint's own threads stay free.
 */
class PluginCommandLimitTest {
    private static final String HANGING_SERVICE = """
            package hang;
            import dev.mailroot.sink.*;
            @org.pf4j.Extension
            public class HangingService implements MailrootService {
                public void start(ServiceContext c) { }
                public void stop() { }
                public CommandResult command(String name, java.util.Map<String, String> p, ServiceContext c) throws Exception {
                    java.nio.file.Path release = java.nio.file.Paths.get(p.get("release"));
                    while (!java.nio.file.Files.exists(release)) {
                        try { Thread.sleep(20); } catch (InterruptedException ignored) { }
                    }
                    return CommandResult.ok("released");
                }
            }
            """;

    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void aHangingCommandAnswersAfterItsLimitAndTheEndpointKeepsServing() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("hang").source("hang.HangingService", HANGING_SERVICE).build(work, home.resolve("plugins/hang.jar"));
        Path release = work.resolve("release");
        try (TestServer server = TestServer.startWithPlugins(home, "plugins: {bundled: false}\n")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.server().plugins().loadedPlugins().contains("hang"));
            PluginHost host = server.server().plugins();
            // more hanging calls than the admin endpoint has threads
            for (int i = 0; i < 3; i++) {
                Optional<CommandResult> r = host.command("hang", "wait", Map.of("release", release.toString()), Duration.ofMillis(300));
                assertThat(r).hasValueSatisfying(c -> {
                    assertThat(c.outcome()).isEqualTo(CommandResult.Outcome.FAILED);
                    assertThat(c.report()).contains("did not finish within 0 s", "goes on in the background");
                });
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.server().adminPort() + "/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            Files.writeString(release, "go");
            assertThat(host.command("hang", "wait", Map.of("release", release.toString()), Duration.ofSeconds(10)))
                    .hasValueSatisfying(c -> assertThat(c.report()).isEqualTo("released"));
        }
    }
}
