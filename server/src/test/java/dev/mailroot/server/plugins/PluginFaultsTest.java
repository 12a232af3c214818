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

/** Hostile and broken plugins, as real jars built here, in a running server: none of them stops it or strands mail. */
class PluginFaultsTest {

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

    private List<String> logged(LogCapture logs, String event) {
        return logs.containing(event).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** A sink that throws the {@link Error} its binding's {@code error} property names. */
    private static final String ERROR_SINK = """
            package errors;
            import dev.mailroot.sink.*;
            @org.pf4j.Extension
            public class ErrorSink implements OnSubmissionSink {
                private static int deeper(int n) { return deeper(n + 1) + 1; }
                public SinkStatus onSubmission(Submission s, SinkContext c) {
                    s.headers().add("X-Half", "made");
                    switch (c.properties().get("error")) {
                        case "stack": deeper(0); break;
                        case "memory": long[] huge = new long[Integer.MAX_VALUE]; huge[0] = 1; break;
                        case "class": throw new NoClassDefFoundError("com/example/NotInTheJar");
                        case "assert": throw new AssertionError("an assertion in the plugin");
                        default: break;
                    }
                    return SinkStatus.RUN_NEXT_SINK;
                }
            }
            """;

    @Test
    void everyErrorASinkThrowsIsAFailureOfItsBindingAndTheMessageGoesOn() throws Exception {
        Path jar = PluginJarBuilder.plugin("errors").source("errors.ErrorSink", ERROR_SINK).build(work, work.resolve("errors.jar"));
        dropIn(jar, home.resolve("plugins"), "errors.jar");
        String[] kinds = {"stack", "memory", "class", "assert"};
        for (String kind : kinds) {
            PluginSteps.bind(home, kind, "errors.ErrorSink", "RCPT TO=" + kind + "@*", 10, Map.of("error", kind));
        }
        PluginSteps.bind(home, "to badmail", "errors.ErrorSink", "RCPT TO=quarantine@*", 10,
                Map.of("error", "stack", "onError", "badmail"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            for (String kind : kinds) {
                send(server, kind + "@localhost");
                // delivered, with the failed call's change undone
                assertThat(delivered(server, kind, 1)).doesNotContain("X-Half");
            }
            assertThat(logged(logs, "MR2001")).hasSize(4)
                    .anySatisfy(m -> assertThat(m).contains("'stack'", "java.lang.StackOverflowError"))
                    .anySatisfy(m -> assertThat(m).contains("'memory'", "java.lang.OutOfMemoryError"))
                    .anySatisfy(m -> assertThat(m).contains("'class'", "java.lang.NoClassDefFoundError", "NotInTheJar"))
                    .anySatisfy(m -> assertThat(m).contains("'assert'", "java.lang.AssertionError"));

            String id = send(server, "quarantine@localhost");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(home.resolve("mailroot/badmail/" + id + ".bdr")));
            assertThat(Files.readString(home.resolve("mailroot/badmail/" + id + ".bdr")))
                    .contains("'to badmail'", "StackOverflowError", "onError=badmail");

            // five failures in a row disable the binding, as for exceptions
            for (int i = 0; i < 4; i++) {
                send(server, "stack@localhost");
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> store().read().bindings().stream()
                    .filter(b -> b.name().equals("stack")).findFirst().map(Binding::failure).isPresent());
            assertThat(logged(logs, "MR2004")).anySatisfy(m -> assertThat(m).contains("'stack'", "StackOverflowError"));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().spool().size() == 0);
        }
    }

    @Test
    void aJarWhoseCodeCanEndTheProcessIsRefusedAndNamedWhileTheOthersLoad() throws Exception {
        Path plugins = home.resolve("plugins");
        PluginJarBuilder.plugin("quitter").source("quit.QuitSink", """
                package quit;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class QuitSink implements OnSubmissionSink {
                    public SinkStatus onSubmission(Submission s, SinkContext c) {
                        if (s.size() > 1_000_000_000L) { System.exit(0); }
                        return SinkStatus.RUN_NEXT_SINK;
                    }
                }
                """).build(work, plugins.resolve("quitter.jar"));
        dropIn(actionJar, plugins, "action.jar");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(server.server().plugins().loadedPlugins()).containsExactly("action");
            assertThat(logged(logs, "MR4014")).singleElement().satisfies(m -> assertThat(m)
                    .contains(plugins.resolve("quitter.jar").toString(), "quit.QuitSink calls java.lang.System.exit"));
        }
    }

    /** A plugin ({@code Plugin-Class}) whose constructor or start does what {@code body} says. */
    private static Path plugin(String id, String method, String body) throws IOException {
        String cls = id + ".P";
        String code = """
                package %s;
                public class P extends org.pf4j.Plugin {
                    static int deeper(int n) { return deeper(n + 1) + 1; }
                    public P() { %s }
                    @Override public void start() { %s }
                }
                """.formatted(id, method.equals("constructor") ? body : "", method.equals("start") ? body : "");
        return PluginJarBuilder.plugin(id).source(cls, code).manifest("Plugin-Class", cls).build(work, work.resolve(id + ".jar"));
    }

    @Test
    void aPluginThatHangsOrOverflowsWhileLoadingIsNamedAndSkippedAndHoldsUpNothingElse() throws Exception {
        Path plugins = home.resolve("plugins");
        String hang = "while (true) { try { Thread.sleep(1000); } catch (InterruptedException e) { } }";
        dropIn(plugin("hangs", "constructor", hang), plugins, "hangs.jar");
        dropIn(plugin("hangsinstart", "start", hang), plugins, "hangs-in-start.jar");
        dropIn(plugin("overflows", "start", "deeper(0);"), plugins, "overflows.jar");
        dropIn(actionJar, plugins, "action.jar");
        PluginSteps.bind(home, "tagger", ACTION, "RCPT TO=*", 10, Map.of("action", "tag"));
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.startWithPluginsLoading(home, "plugins: {loadTimeoutSeconds: 3}\n")) {
            // start-up did not wait, and SMTP takes mail while the plugins load
            String id = send(server, "bob@localhost");
            // a jar dropped in meanwhile loads at once: the host is not held by the hanging ones
            dropIn(PluginJarBuilder.plugin("late").source("late.GreetingSink", TestPlugins.greetingSink("late"))
                    .source("shared.Greeting", TestPlugins.greeting("hello")).build(work, work.resolve("late.jar")), plugins, "late.jar");
            await().atMost(Duration.ofSeconds(2)).until(() -> server.server().plugins().loadedPlugins().contains("late"));
            assertThat(logged(logs, "MR4012")).isEmpty();

            // the mail waits for the plugins present at start, then passes the sinks that did load
            assertThat(delivered(server, "bob", 1)).contains("X-Tag: tagger").contains(id);
            assertThat(logged(logs, "MR4012")).hasSize(2)
                    .anySatisfy(m -> assertThat(m).contains(plugins.resolve("hangs.jar").toString(), "within 3 s"))
                    .anySatisfy(m -> assertThat(m).contains(plugins.resolve("hangs-in-start.jar").toString(), "within 3 s"));
            assertThat(logged(logs, "MR4002")).singleElement().satisfies(m -> assertThat(m)
                    .contains(plugins.resolve("overflows.jar").toString(), "overflowed the stack"));
            assertThat(server.server().plugins().loadedPlugins()).containsExactlyInAnyOrder("action", "late");
        }
    }

    /** The spamcheck plugin at {@code version}: its sink tags mail with {@code X-Spamcheck: <version>}. */
    private static Path spamcheck(String version, String file) throws IOException {
        return PluginJarBuilder.plugin("spamcheck").version(version).source("spam.Check", """
                package spam;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class Check implements OnSubmissionSink {
                    public SinkStatus onSubmission(Submission s, SinkContext c) {
                        s.headers().add("X-Spamcheck", "%s");
                        return SinkStatus.RUN_NEXT_SINK;
                    }
                }
                """.formatted(version)).build(work, work.resolve(file));
    }

    @Test
    void theHighestVersionOfAPluginIsUsedAndAnUpgradeOrARemovalNeedsNoRestartAndLeavesNoGap() throws Exception {
        Path plugins = home.resolve("plugins");
        dropIn(spamcheck("0.9.0", "a.jar"), plugins, "spamcheck-0.9.jar");
        dropIn(spamcheck("1.0.0", "b.jar"), plugins, "spamcheck-1.0.0.jar");
        PluginSteps.bind(home, "spam", "spam.Check", "RCPT TO=*", 10, Map.of());
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 1)).contains("X-Spamcheck: 1.0.0");
            assertThat(logged(logs, "MR4013")).singleElement().satisfies(m -> assertThat(m).contains(
                    "spamcheck-1.0.0.jar (1.0.0) is used", "spamcheck-0.9.jar (0.9.0, a lower version)"));

            // removing the jar in use brings the remaining one in at once
            Files.delete(plugins.resolve("spamcheck-1.0.0.jar"));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().plugins().jars().stream()
                    .anyMatch(j -> j.state().equals("loaded") && "0.9.0".equals(j.version())));
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 2)).contains("X-Spamcheck: 0.9.0");

            // a newer version copied in replaces it while mail flows: every message passes one version or the other
            java.util.concurrent.atomic.AtomicBoolean upgraded = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            Thread sender = new Thread(() -> {
                try {
                    for (int after = 0; after < 5; ) {
                        send(server, "flow@localhost");
                        sent.incrementAndGet();
                        after += upgraded.get() ? 1 : 0;
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            sender.start();
            dropIn(spamcheck("2.0.0", "c.jar"), plugins, "spamcheck-2.0.jar");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().plugins().jars().stream()
                    .anyMatch(j -> j.state().equals("loaded") && "2.0.0".equals(j.version())));
            upgraded.set(true);
            sender.join(60_000);
            send(server, "bob@localhost");
            assertThat(delivered(server, "bob", 3)).contains("X-Spamcheck: 2.0.0");
            await().atMost(Duration.ofSeconds(15)).until(() -> server.newMail("flow").size() == sent.get());
            assertThat(sent.get()).isGreaterThan(5);
            for (Path p : server.newMail("flow")) {
                assertThat(Files.readString(p)).containsPattern("X-Spamcheck: (0\\.9\\.0|2\\.0\\.0)\\r\\n");
            }
            assertThat(logged(logs, "MR4001")).anySatisfy(m -> assertThat(m).contains("'spamcheck' 2.0.0", "it replaces 'spamcheck' 0.9.0"));
        }
    }

    @Test
    void aBindingWithOnMissingTempfailKeepsItsMailUntilTheSinkArrivesAndOnMissingSkipIsReported() throws Exception {
        PluginSteps.bind(home, "must filter", ACTION, "RCPT TO=guarded@*", 10, Map.of("action", "tag", "onMissing", "tempfail"));
        PluginSteps.bind(home, "may filter", ACTION, "RCPT TO=open@*", 10, Map.of("action", "tag"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(logged(logs, "MR2005"))
                    .anySatisfy(m -> assertThat(m).contains("'must filter'", "waits in the spool until the sink is back"))
                    .anySatisfy(m -> assertThat(m).contains("'may filter'", "passes without it (onMissing: skip)"));
            send(server, "open@localhost");
            assertThat(delivered(server, "open", 1)).doesNotContain("X-Tag");
            send(server, "guarded@localhost");
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(server.newMail("guarded")).isEmpty();
            assertThat(server.server().spool().size()).isEqualTo(1);

            // the plugin arrives: the waiting message goes at once, not at its next retry (30 s away)
            dropIn(actionJar, home.resolve("plugins"), "action.jar");
            await().atMost(Duration.ofSeconds(8)).until(() -> server.newMail("guarded").size() == 1);
            assertThat(Files.readString(server.newMail("guarded").get(0))).contains("X-Tag: must filter");
        }
    }

    @Test
    void aSinkThatKeepsItsMailWaitingStopsNothingElse() throws Exception {
        PluginSteps.bind(home, "must filter", ACTION, "RCPT TO=guarded@*", 10, Map.of("onMissing", "tempfail"));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            send(server, "guarded@localhost");
            try (SmtpClient smtp = new SmtpClient(server.port())) {
                smtp.send("EHLO other.test");
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: other\r\n\r\nx\r\n"))
                        .startsWith("250 ");
            }
            assertThat(delivered(server, "bob", 1)).contains("Subject: other");
            assertThat(server.newMail("guarded")).isEmpty();
        }
    }

    @Test
    void aRepeatingTaskOfAServiceThatThrowsIsReportedNotSilentlyDropped() throws Exception {
        PluginJarBuilder.plugin("ticker").source("tick.TickService", """
                package tick;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class TickService implements MailrootService {
                    public void start(ServiceContext c) {
                        c.scheduler().scheduleWithFixedDelay(() -> { throw new LinkageError("a library is missing"); },
                                0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                    public void stop() { }
                }
                """).build(work, home.resolve("plugins/ticker.jar"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.containing("MR4009").isEmpty());
            assertThat(logged(logs, "MR4009")).singleElement().satisfies(m -> assertThat(m)
                    .contains("'ticker'", "repeating task", "will not run again", "a library is missing"));
            assertThat(server.server().plugins().loadedPlugins()).contains("ticker");
        }
    }

    @Test
    void aServiceStillStartingWhenItsJarIsRemovedDoesNotRunOnAfterTheUnload() throws Exception {
        Path ticks = work.resolve("ticks-" + System.nanoTime());
        PluginJarBuilder.plugin("slowstart").source("slow.TickService", """
                package slow;
                import dev.mailroot.sink.*;
                import java.nio.file.*;
                @org.pf4j.Extension
                public class TickService implements MailrootService {
                    public void start(ServiceContext c) throws Exception {
                        Thread.sleep(1500);
                        c.scheduler().scheduleWithFixedDelay(() -> {
                            try {
                                Files.writeString(Paths.get("%s"), "tick\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                        }, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                    public void stop() { }
                }
                """.formatted(ticks.toString().replace("\\", "\\\\"))).build(work, work.resolve("slowstart.jar"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            dropIn(jarOf("slowstart"), home.resolve("plugins"), "slowstart.jar");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR4001 plugin 'slowstart'").isEmpty());
            Files.delete(home.resolve("plugins/slowstart.jar")); // while its service is still starting
            await().atMost(Duration.ofSeconds(15)).until(() -> !logs.containing("MR4005 plugin 'slowstart'").isEmpty());
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
            long after = Files.exists(ticks) ? Files.size(ticks) : 0;
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                    .until(() -> (Files.exists(ticks) ? Files.size(ticks) : 0) == after);
        }
    }

    private static Path jarOf(String id) {
        return work.resolve(id + ".jar");
    }
}
