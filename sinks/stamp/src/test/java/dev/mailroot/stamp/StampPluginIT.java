package dev.mailroot.stamp;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bundled stamp plugin, as built: the real jar, in a real server's plugins/ folder. */
class StampPluginIT {

    @TempDir
    Path home;

    private static final Path JAR = Path.of(System.getProperty("plugin.jar", "target/stamp.jar"));

    @Test
    void theBuiltJarRegistersItsDisabledDefaultAndStampsMailItsBindingsMatch() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(JAR, home.resolve("plugins/stamp-test.jar"));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            BindingStore store = new BindingStore(home.resolve("conf/bindings.yaml"));
            Binding stamp = store.read().byName("Stamp").get(0);
            assertThat(stamp.id()).isEqualTo("{3A1E6F0C-5B7D-4C2A-9E8F-1D2C3B4A5F60}");
            assertThat(stamp.enabled()).isFalse();
            assertThat(stamp.sinkClass()).isEqualTo(StampSink.class.getName());

            store.update(r -> r.change(stamp.id(), b -> b.withEnabled(true).withRule("RCPT TO=tagged@*")
                    .withSinkProperties(Map.of("header", "X-Department", "value", "sales"))));
            await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(700)).until(() -> true);

            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO c");
                assertThat(smtp.sendMail("a@example.org", List.of("tagged@localhost"), "Subject: one\r\n\r\nx\r\n")).startsWith("250");
                assertThat(smtp.sendMail("a@example.org", List.of("other@localhost"), "Subject: two\r\n\r\nx\r\n")).startsWith("250");
            }
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.newMail("tagged").size() == 1 && server.newMail("other").size() == 1);
            assertThat(Files.readString(server.newMail("tagged").get(0))).contains("\r\nX-Department: sales\r\n\r\nx\r\n");
            assertThat(Files.readString(server.newMail("other").get(0))).doesNotContain("X-Department");
        }
    }
}
