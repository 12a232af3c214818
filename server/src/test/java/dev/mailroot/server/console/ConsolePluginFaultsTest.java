package dev.mailroot.server.console;

import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.mailroot.server.console.ConsoleSecurityTest.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connector plugin that misbehaves on the console's POP3 page: its {@code status} throws an
 * {@code Error}, its {@code retrieve} answers lines that are not JSON. The page still renders, says
 * what went wrong, and the console keeps serving.
 */
class ConsolePluginFaultsTest {
    private static final String BROKEN = """
            package broken;
            import dev.mailroot.sink.*;
            @org.pf4j.Extension
            public class BrokenConnector implements MailrootService {
                public void start(ServiceContext c) { }
                public void stop() { }
                public CommandResult command(String name, java.util.Map<String, String> p, ServiceContext c) {
                    if (name.equals("status")) {
                        throw new NoClassDefFoundError("broken/Missing");
                    }
                    return CommandResult.ok("{not json\\n{\\"account\\":\\"x\\",\\"lastRun\\":\\"yesterday\\"}");
                }
            }
            """;

    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void aConnectorThatThrowsAnErrorOrAnswersGarbageGetsAMessageOnThePageNotAFailedPage() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("pop3-connector").source("broken.BrokenConnector", BROKEN)
                .build(work, home.resolve("plugins/broken.jar"));
        try (TestServer server = TestServer.startWithPlugins(home, "plugins: {bundled: false}\n")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.server().plugins().loadedPlugins().contains("pop3-connector"));
            ConsoleSecurityTest.port = server.server().adminPort();
            ConsoleSecurityTest.token = Files.readString(server.home().adminTokenFile()).strip();
            String session = ConsoleSecurityTest.login();
            String host = "Host: 127.0.0.1:" + ConsoleSecurityTest.port;
            ConsoleSecurityTest.Response page = ConsoleSecurityTest.raw("GET", "/ui/pop3", "", host, "Cookie: mrsession=" + session);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("status command failed", "NoClassDefFoundError");

            String csrf = ConsoleSecurityTest.csrf(session);
            ConsoleSecurityTest.Response retrieve = ConsoleSecurityTest.raw("POST", "/ui/pop3", "csrf=" + csrf + "&action=retrieve", host,
                    "Cookie: mrsession=" + session, FORM);
            assertThat(retrieve.status()).isEqualTo(303);
            assertThat(ConsoleSecurityTest.raw("GET", "/ui/", "", host, "Cookie: mrsession=" + session).status()).isEqualTo(200);
        }
    }
}
