package dev.mailroot.server.plugins;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.mailroot.server.plugins.PluginSteps.delivered;
import static dev.mailroot.server.plugins.PluginSteps.dropIn;
import static dev.mailroot.server.plugins.PluginSteps.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The event-sink framework with real plugin jars, built here, in a running server. */
class PluginFrameworkTest {

    private static final String ACTION = "test.sinks.ActionSink";

    @TempDir
    static Path work;
    @TempDir
    Path home;

    private static Path actionJar;

    @BeforeAll
    static void buildPlugins() throws IOException {
        actionJar = PluginJarBuilder.plugin("action").source(ACTION, TestPlugins.ACTION_SINK)
                .build(work, work.resolve("action.jar"));
    }

    private BindingStore store() {
        return new BindingStore(home.resolve("conf/bindings.yaml"));
    }

    private void bind(String name, String rule, int priority, Map<String, String> props) throws Exception {
        PluginSteps.bind(home, name, ACTION, rule, priority, props);
    }

    private void bind(String name, String sinkClass, String rule, int priority, Map<String, String> props) throws Exception {
        PluginSteps.bind(home, name, sinkClass, rule, priority, props);
    }

    /** Waits until the server has reloaded the bindings once more than {@code before} times. */
    private static void awaitReload(LogCapture logs, int before) {
        await().atMost(Duration.ofSeconds(2)).until(() -> logs.containing("MR4004").size() > before);
    }

    @Test
    void aJarDroppedIntoARunningServerActsOnMatchingMailOnlyAndIsGoneOnceRemoved() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            int reloads = logs.containing("MR4004").size();
            bind("tagger", "RCPT TO=tagme@*", 100, Map.of("action", "tag"));
            awaitReload(logs, reloads);

            // bound but not provided yet: mail flows untouched
            send(server, "tagme@localhost");
            assertThat(delivered(server, "tagme", 1)).doesNotContain("X-Tag");

            dropIn(actionJar, home.resolve("plugins"), "action.jar");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().plugins().loadedPlugins().contains("action"));
            send(server, "tagme@localhost");
            send(server, "other@localhost");
            assertThat(delivered(server, "tagme", 2)).contains("\r\nX-Tag: tagger\r\n");
            assertThat(delivered(server, "other", 1)).doesNotContain("X-Tag");
            assertThat(logs.containing("MR4001")).anySatisfy(e ->
                    assertThat(e.getFormattedMessage()).contains("'action'", "action.jar", ACTION));

            Files.delete(home.resolve("plugins/action.jar"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.server().plugins().loadedPlugins().contains("action"));
            assertThat(logs.containing("MR4005")).isNotEmpty();
            send(server, "tagme@localhost");
            assertThat(delivered(server, "tagme", 3)).doesNotContain("X-Tag");
            assertThat(server.server().spool().size()).isZero();
        }
    }

    @Test
    void aPluginsDefaultBindingIsRegisteredOnceAndOneTheAdministratorRemovedIsNotPutBack() throws Exception {
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        String defaultId = "{11111111-2222-3333-4444-555555555555}";
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            Binding d = store().read().byId(defaultId).orElseThrow();
            assertThat(d.name()).isEqualTo("Action default");
            assertThat(d.rule()).isEqualTo("RCPT TO=defaulted@*");
            assertThat(d.priority()).isEqualTo(7);
            assertThat(d.sinkClass()).isEqualTo(ACTION);
            assertThat(store().read().registeredDefaults()).contains(defaultId);
            send(server, "defaulted@localhost");
            assertThat(delivered(server, "defaulted", 1)).contains("X-Tag: Action default");
        }
        store().update(r -> r.without(defaultId));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(server.server().plugins().loadedPlugins()).contains("action");
            assertThat(store().read().byId(defaultId)).isEmpty();
            send(server, "defaulted@localhost");
            assertThat(delivered(server, "defaulted", 2)).doesNotContain("X-Tag");
        }
    }

    @Test
    void bindingsRunInPriorityOrderAndSkipRemainingSinksEndsTheChain() throws Exception {
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        bind("third", "RCPT TO=*", 30, Map.of("action", "tag"));
        bind("first", "RCPT TO=order@*", 10, Map.of("action", "tag"));
        bind("second", "MAIL FROM=*@example.org", 20, Map.of("action", "skip"));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            send(server, "order@localhost");
            String copy = delivered(server, "order", 1);
            assertThat(copy).contains("X-Tag: first\r\nX-Tag: second\r\n\r\n").doesNotContain("X-Tag: third");
        }
    }

    @Test
    void aPluginSinkCanAbortDeliveryOrSendMailToBadmail() throws Exception {
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        bind("dropper", "RCPT TO=dropme@*", 10, Map.of("action", "abort"));
        bind("quarantine", "RCPT TO=quarantine@*", 10, Map.of("action", "badmail"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            String dropped = send(server, "dropme@localhost");
            String bad = send(server, "quarantine@localhost");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.badmail().size() == 2 && !logs.containing("MR2002").isEmpty());
            assertThat(logs.containing("MR2002").get(0).getFormattedMessage()).contains("'dropper'", "aborted by dropper");
            assertThat(logs.containing("MR2002").get(0).getMDCPropertyMap()).containsEntry("msgId", dropped);
            assertThat(Files.readString(home.resolve("mailroot/badmail/" + bad + ".bdr"))).contains("quarantined by quarantine");
            assertThat(server.newMail("dropme")).isEmpty();
            assertThat(server.newMail("quarantine")).isEmpty();
        }
    }

    @Test
    void aThrowingSinkIsLoggedItsHalfMadeChangesAreUndoneAndOnErrorBadmailIsHonoured() throws Exception {
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        bind("thrower", "RCPT TO=throw@*", 10, Map.of("action", "throw"));
        bind("strict thrower", "RCPT TO=strict@*", 10, Map.of("action", "throw", "onError", "badmail"));
        bind("after", "RCPT TO=*", 20, Map.of("action", "tag"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            String id = send(server, "throw@localhost");
            String copy = delivered(server, "throw", 1);
            assertThat(copy).contains("X-Tag: after").doesNotContain("X-Half");
            assertThat(server.newMail("half")).isEmpty();
            ILoggingEvent e = logs.containing("MR2001").get(0);
            assertThat(e.getFormattedMessage()).contains("'thrower'", ACTION, "boom from thrower", "undone");
            assertThat(e.getMDCPropertyMap()).containsEntry("msgId", id);

            String strict = send(server, "strict@localhost");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.badmail().size() == 2);
            assertThat(Files.readString(home.resolve("mailroot/badmail/" + strict + ".bdr")))
                    .contains("'strict thrower'", "boom from strict thrower", "onError=badmail");
            assertThat(Files.readString(home.resolve("mailroot/badmail/" + strict + ".bad"))).doesNotContain("X-Half");
        }
    }

    @Test
    void aHangingSinkNeverStopsIntakeItsTimeLimitFiresAndAfterFiveFailuresTheServerDisablesIt() throws Exception {
        Path release = home.resolve("release-hung-sinks");
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        bind("hanger", "RCPT TO=hang*@*", 10, Map.of("action", "hang", "timeoutMs", "300", "release", release.toString()));
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.startWithPlugins(home, "delivery: {threads: 2}")) {
            LoadedSink sink = server.server().plugins().catalog().sink(ACTION).orElseThrow();
            for (int i = 1; i <= 5; i++) {
                send(server, "hang" + i + "@localhost");
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> sink.calls().running() >= 2);
            // the sink threads are stuck and ignore interrupts, yet SMTP still answers at once
            String normal = send(server, "normal@localhost");
            assertThat(delivered(server, "normal", 1)).contains("Subject: to normal@localhost");
            for (int i = 1; i <= 5; i++) {
                String copy = delivered(server, "hang" + i, 1);
                assertThat(copy).doesNotContain("X-Half", "X-Late");
            }
            assertThat(logs.containing("MR2003")).hasSizeGreaterThanOrEqualTo(5)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("'hanger'", "300 ms"));
            assertThat(logs.containing("MR2004")).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("'hanger'", "5 consecutive failures"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                Binding b = store().read().byName("hanger").get(0);
                assertThat(b.enabled()).isFalse();
                assertThat(b.failure()).isNotNull();
                assertThat(b.failure().failures()).isEqualTo(5);
                assertThat(b.failure().cause()).contains("time limit of 300 ms");
            });
            assertThat(normal).isNotBlank();
            Files.writeString(release, "go");
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.calls().running() == 0);
            // the disabled binding is no longer called
            int calls = logs.containing("MR2003").size();
            send(server, "hang9@localhost");
            assertThat(delivered(server, "hang9", 1)).doesNotContain("X-Half");
            assertThat(logs.containing("MR2003")).hasSize(calls);
        }
    }

    @Test
    void aJarThatCannotLoadIsReportedAndSkippedWhileTheOthersWork() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        Files.write(plugins.resolve("garbage.jar"), new byte[]{1, 2, 3, 4, 5});
        PluginJarBuilder.plugin("needs-future").manifest("Plugin-Requires", ">=9.0.0")
                .source("future.GreetingSink", TestPlugins.greetingSink("future")).source("shared.Greeting", TestPlugins.greeting("x"))
                .build(work, plugins.resolve("future.jar"));
        PluginJarBuilder.plugin("no-default-constructor").source("ctor.Sink", """
                package ctor;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class Sink implements OnSubmissionSink {
                    public Sink(String needed) { }
                    public SinkStatus onSubmission(Submission s, SinkContext c) { return SinkStatus.RUN_NEXT_SINK; }
                }
                """).build(work, plugins.resolve("ctor.jar"));
        dropIn(actionJar, plugins, "action.jar");
        bind("tagger", "RCPT TO=*", 10, Map.of("action", "tag"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(server.server().plugins().loadedPlugins()).containsExactly("action");
            List<String> reports = logs.containing("MR4002").stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(reports).hasSize(3);
            assertThat(reports).anySatisfy(r -> assertThat(r).contains(plugins.resolve("garbage.jar").toString(),
                    "cannot be read as a jar"));
            assertThat(reports).anySatisfy(r -> assertThat(r).contains("future.jar", "requires Mailroot >=9.0.0; this is 1.0.0"));
            assertThat(reports).anySatisfy(r -> assertThat(r).contains("ctor.jar", "no-argument constructor"));
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 1)).contains("X-Tag: tagger");
            // a broken jar is not retried until it changes
            await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(logs.containing("MR4002")).hasSize(3);
        }
    }

    @Test
    void aCorruptBindingsFileKeepsTheLastGoodSetAndTheFixedFileIsApplied() throws Exception {
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        bind("before", "RCPT TO=*", 10, Map.of("action", "tag"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            Path file = home.resolve("conf/bindings.yaml");
            Files.writeString(file, "bindings:\n  - id: \"{00000000-0000-0000-0000-000000000001}\"\n    name: [broken\n");
            await().atMost(Duration.ofSeconds(2)).until(() -> !logs.containing("MR4003").isEmpty());
            assertThat(logs.containing("MR4003").get(0).getFormattedMessage())
                    .contains("bindings.yaml (line ", "column ", "last good bindings (2) stay in force");
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 1)).contains("X-Tag: before");

            int reloads = logs.containing("MR4004").size();
            Files.delete(file);
            bind("after", "RCPT TO=*", 10, Map.of("action", "tag"));
            awaitReload(logs, reloads);
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 2)).contains("X-Tag: after").doesNotContain("X-Tag: before");
        }
    }

    @Test
    void pluginsKeepTheirOwnLibrariesPrivateAndUseTheHostsMailApi() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("greet-a").source("a.GreetingSink", TestPlugins.greetingSink("a"))
                .source("shared.Greeting", TestPlugins.greeting("hello from a")).build(work, plugins.resolve("a.jar"));
        PluginJarBuilder.plugin("greet-b").source("b.GreetingSink", TestPlugins.greetingSink("b"))
                .source("shared.Greeting", TestPlugins.greeting("hello from b")).build(work, plugins.resolve("b.jar"));
        dropIn(actionJar, plugins, "action.jar");
        bind("a", "a.GreetingSink", null, 1, Map.of());
        bind("b", "b.GreetingSink", null, 2, Map.of());
        bind("mime", ACTION, null, 3, Map.of("action", "mime"));
        bind("tccl", ACTION, null, 4, Map.of("action", "tccl"));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 1))
                    .contains("X-Greeting: hello from a\r\nX-Greeting: hello from b\r\nX-Subject: to bob@localhost\r\n"
                            + "X-Context-Loader: plugin\r\n");
        }
    }

    @Test
    void rulesApplyToPickupMailExactlyAsToSmtpMail() throws Exception {
        dropIn(actionJar, home.resolve("plugins"), "action.jar");
        bind("partner mail", "MAIL FROM=*@partner.example;EHLO=mx.partner.example", 10, Map.of("action", "tag"));
        try (TestServer server = TestServer.startWithPlugins(home, "pickup: {settleMillis: 100, rescanSeconds: 1}\n")) {
            Path pickup = Files.createDirectories(home.resolve("mailroot/pickup"));
            Path staging = Files.createDirectories(home.resolve("staging"));
            Files.writeString(staging.resolve("p1.eml"), "x-sender: alice@partner.example\r\nx-receiver: bob@localhost\r\n"
                    + "Subject: from the partner\r\n\r\nx\r\n");
            Files.writeString(staging.resolve("p2.eml"), "From: carol@other.example\r\nTo: dave@localhost\r\n"
                    + "Subject: from elsewhere\r\n\r\nx\r\n");
            Files.move(staging.resolve("p1.eml"), pickup.resolve("p1.eml"));
            Files.move(staging.resolve("p2.eml"), pickup.resolve("p2.eml"));
            assertThat(delivered(server, "bob", 1)).contains("X-Tag: partner mail");
            assertThat(delivered(server, "dave", 1)).doesNotContain("X-Tag");
            // the same rule over SMTP
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO mx.partner.example");
                assertThat(smtp.sendMail("x@unrelated.example", List.of("erin@localhost"), "Subject: s\r\n\r\nx\r\n"))
                        .startsWith("250");
            }
            assertThat(delivered(server, "erin", 1)).contains("X-Tag: partner mail");
        }
    }
}
