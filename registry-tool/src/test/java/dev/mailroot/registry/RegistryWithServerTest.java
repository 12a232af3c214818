package dev.mailroot.registry;

import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RegistryWithServerTest {

    @TempDir
    Path home;
    @TempDir
    Path work;

    private String registry(String... args) {
        RegistryRun r = RegistryRun.in(home, args);
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    private static void send(TestServer server, String rcpt) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            assertThat(smtp.sendMail("a@example.org", List.of(rcpt), "Subject: s\r\n\r\nb\r\n")).startsWith("250");
        }
    }

    private static String newest(TestServer server, String box, int count) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail(box).size() >= count);
        return Files.readString(server.newMail(box).get(count - 1));
    }

    @Test
    void aRunningServerAppliesRegistryChangesAndEnumShowsWhatTheServerDisabled() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("action").source(RegistryTest.ACTION, TestPlugins.ACTION_SINK)
                .build(work, home.resolve("plugins/action.jar"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            int reloads = logs.containing("MR4004").size();
            registry("add", "OnSubmission", "tag bob", RegistryTest.ACTION, "RCPT TO=bob@*", "--prop", "action=tag");
            await().atMost(Duration.ofSeconds(2)).until(() -> logs.containing("MR4004").size() > reloads);
            send(server, "bob@localhost");
            assertThat(newest(server, "bob", 1)).contains("X-Tag: tag bob");

            int again = logs.containing("MR4004").size();
            registry("disable", "tag bob");
            await().atMost(Duration.ofSeconds(2)).until(() -> logs.containing("MR4004").size() > again);
            send(server, "bob@localhost");
            assertThat(newest(server, "bob", 2)).doesNotContain("X-Tag");

            int before = logs.containing("MR4004").size();
            registry("add", "OnSubmission", "breaks", RegistryTest.ACTION, "RCPT TO=carol@*", "--prop", "action=throw");
            await().atMost(Duration.ofSeconds(2)).until(() -> logs.containing("MR4004").size() > before);
            for (int i = 1; i <= 5; i++) {
                send(server, "carol@localhost");
                newest(server, "carol", i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    registry("enum").contains("Status: disabled by server after 5 failures at "));
            assertThat(registry("enum")).contains("threw java.lang.IllegalStateException: boom from breaks");

            String reregistered = registry("reregister", "action");
            assertThat(reregistered).contains("re-enabled 'breaks'");
            assertThat(new BindingStore(home.resolve("conf/bindings.yaml")).read().byName("breaks").get(0).enabled()).isTrue();
        }
    }

    @Test
    void twoRegistryProcessesAddingAtOnceLoseNothing() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> ps = new ArrayList<>();
        for (String prefix : List.of("first", "second")) {
            ps.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AddManyMain.class.getName(),
                    home.toString(), prefix, "25").redirectErrorStream(true).redirectOutput(work.resolve(prefix + ".log").toFile())
                    .start());
        }
        for (Process p : ps) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(work.resolve("first.log"))).isZero();
        }
        assertThat(new BindingStore(home.resolve("conf/bindings.yaml")).read().bindings()).hasSize(50);
        String listing = registry("enum");
        for (int i = 0; i < 25; i++) {
            assertThat(listing).contains("Name: first-" + i + "\n", "Name: second-" + i + "\n");
        }
    }

    @Test
    void enumAndSinksShowWhatTheRunningServerLoadedNotWhatTheJarsPromise() throws Exception {
        // on paper this jar loads and provides the action sink; in the server its Plugin class hangs
        PluginJarBuilder.plugin("slow").source(RegistryTest.ACTION, TestPlugins.ACTION_SINK).source("slow.P", """
                package slow;
                public class P extends org.pf4j.Plugin {
                    public P() { while (true) { try { Thread.sleep(1000); } catch (InterruptedException e) { } } }
                }
                """).manifest("Plugin-Class", "slow.P").build(work, home.resolve("plugins/slow.jar"));
        registry("add", "OnSubmission", "tag", RegistryTest.ACTION, "RCPT TO=bob@*", "--prop", "action=tag");
        try (TestServer server = TestServer.startWithPlugins(home, "plugins: {loadTimeoutSeconds: 1}\n")) {
            String listing = registry("enum");
            assertThat(listing).startsWith("status from the running server (127.0.0.1:" + server.server().adminPort() + ")\n");
            assertThat(listing).contains("Status: sink class not provided by any plugin in plugins/; its mail passes without it");
            assertThat(registry("enum", "--json")).contains("\"statusFrom\" : \"server\"");
            String sinks = registry("sinks");
            assertThat(sinks).contains("State: loads", "Server: does not load: loading did not finish within 1 s");
            assertThat(registry("sinks", "--json")).contains("\"state\" : \"does not load\"");
        }
        String offline = registry("enum");
        assertThat(offline).startsWith("server not running: status from files\n").contains("Status: ok");
        assertThat(registry("sinks")).startsWith("server not running: status from files\n").doesNotContain("Server:");
    }
}
