package dev.mailroot.server.reliability;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.ChildServer;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Plugin code that ends the server's process in ways the load-time check cannot see (the exit
 * looked up by a name built at run time), in a real server process: the Exchange crash-loop lesson.
 */
class PluginEndsProcessTest {

    @TempDir
    static Path work;
    @TempDir
    Path home;

    private static Path killerJar;
    private int port;

    /**
     * A sink that ends the process as its binding's {@code how} says: {@code hard} (Runtime.halt(0),
     * like kill -9 but with status 0) or {@code soft} (System.exit(0)), naming neither in its
     * constants (the load-time check would refuse it); and a service whose start, when
     * {@code conf/killer.yaml} exists, spawns a thread that dies of an OutOfMemoryError.
     */
    @BeforeAll
    static void buildKiller() throws IOException {
        killerJar = PluginJarBuilder.plugin("killer").source("killer.KillerSink", """
                package killer;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class KillerSink implements OnSubmissionSink {
                    static String reversed(String s) { return new StringBuilder(s).reverse().toString(); }
                    public SinkStatus onSubmission(Submission s, SinkContext c) throws Exception {
                        if (c.properties().get("how").equals("hard")) {
                            Runtime.class.getMethod(reversed("tlah"), int.class).invoke(Runtime.getRuntime(), 0);
                        } else {
                            Class.forName(reversed("metsyS.gnal.avaj")).getMethod(reversed("tixe"), int.class).invoke(null, 0);
                        }
                        return SinkStatus.RUN_NEXT_SINK;
                    }
                }
                """).source("killer.KillerGate", """
                package killer;
                import dev.mailroot.sink.*;
                import dev.mailroot.sink.protocol.*;
                @org.pf4j.Extension
                public class KillerGate implements OnRcptToSink {
                    static String reversed(String s) { return new StringBuilder(s).reverse().toString(); }
                    public Verdict onRcptTo(ProtocolSession s, RcptToCommand r, SinkContext c) throws Exception {
                        Class.forName(reversed("metsyS.gnal.avaj")).getMethod(reversed("tixe"), int.class).invoke(null, 0);
                        return Verdict.proceed();
                    }
                }
                """).source("killer.OomService", """
                package killer;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class OomService implements MailrootService {
                    public void start(ServiceContext c) throws Exception {
                        if (java.nio.file.Files.exists(c.configFile())) {
                            new Thread(() -> { throw new OutOfMemoryError("simulated: the heap is exhausted"); }).start();
                        }
                    }
                    public void stop() { }
                }
                """).build(work, work.resolve("killer.jar"));
    }

    private void setUp(String how) throws Exception {
        port = ChildServer.freePort();
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(killerJar, home.resolve("plugins/killer.jar"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + "}\nadmin: {port: 0}\n"
                + "shutdownGraceSeconds: 2\n");
        store().update(r -> r.with(new Binding("{0000000A-0000-0000-0000-00000000000A}", "killer", Events.ON_SUBMISSION,
                "killer.KillerSink", true, "RCPT TO=victim@*", 10, Map.of("how", how))));
    }

    private BindingStore store() {
        return new BindingStore(home.resolve("conf/bindings.yaml"));
    }

    private ChildServer start() throws Exception {
        ChildServer child = ChildServer.start(home, "--home", home.toString());
        // ready as an operator sees it (the ready line), not merely listening: SMTP opens before the
        // rest of the start finishes, and a sink that ends the process before then is blamed on the start
        await().atMost(Duration.ofSeconds(60)).until(() -> child.stdout().contains("mailroot: ready") || !child.process().isAlive());
        return child;
    }

    private String send(String rcpt) throws Exception {
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.send("EHLO victim.test");
            String reply = smtp.sendMail("a@example.org", List.of(rcpt), "Subject: for " + rcpt + "\r\n\r\nbody\r\n");
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    private String log() throws IOException {
        return Files.readString(home.resolve("logs/mailroot.log"));
    }

    private Binding killerBinding() throws Exception {
        return store().read().byId("{0000000A-0000-0000-0000-00000000000A}").orElseThrow();
    }

    @Test
    void aMessageThatKillsTheServerTwiceGoesToPoisonItsBindingIsDisabledAndTheServerServes() throws Exception {
        setUp("hard");
        ChildServer first = start();
        String id = send("victim@localhost");
        first.waitForExit(60); // Runtime.halt: gone at once, with whatever status it chose

        ChildServer second = start(); // the message runs again, alone first, and kills it again
        second.waitForExit(60);
        assertThat(log()).contains("MR2007", "'killer' {0000000A-0000-0000-0000-00000000000A}", "(1 of 2 times");

        try (ChildServer third = start()) {
            assertThat(log()).contains("id=" + id + " PoisonMessages: MR2006 poison message set aside");
            Path bad = home.resolve("mailroot/poison/" + id + ".bad");
            Path bdr = home.resolve("mailroot/poison/" + id + ".bdr");
            assertThat(bad).exists();
            assertThat(Files.readString(bad)).startsWith("x-sender: a@example.org").contains("x-receiver: victim@localhost",
                    "Subject: for victim@localhost");
            assertThat(Files.readString(bdr)).startsWith("Mailroot poison message report")
                    .contains("died 2 times", "'killer' {0000000A-0000-0000-0000-00000000000A}");
            Binding killer = killerBinding();
            assertThat(killer.enabled()).isFalse();
            assertThat(killer.failure().cause()).contains("poison message " + id, "mailroot/poison/" + id + ".bad");
            // and the server serves normally
            send("bob@localhost");
            await().atMost(Duration.ofSeconds(15)).until(() -> TestServer.delivered(home.resolve("mailroot/mailboxes")).size() == 1);
            assertThat(home.resolve("mailroot/mailboxes/victim")).doesNotExist();
            third.terminate();
            assertThat(third.waitForExit(30)).isZero();
        }
    }

    @Test
    void aSinkThatCallsSystemExitEndsTheProcessWithStatus3AndIsDisabledSoTheRestartDeliversTheMessage() throws Exception {
        setUp("soft");
        ChildServer first = start();
        String id = send("victim@localhost");
        assertThat(first.waitForExit(60)).as("an unplanned stop is not a success").isEqualTo(3);
        assertThat(log()).contains("MR1015 the process is ending without a stop request", "KillerSink",
                "binding 'killer' {0000000A-0000-0000-0000-00000000000A} (killer.KillerSink) was calling; it is disabled");
        assertThat(killerBinding().enabled()).isFalse();
        assertThat(killerBinding().failure().cause()).contains("System.exit");

        try (ChildServer second = start()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> Files.isDirectory(home.resolve("mailroot/mailboxes/victim/Maildir/new"))
                    && TestServer.delivered(home.resolve("mailroot/mailboxes")).size() == 1);
            assertThat(Files.readString(TestServer.delivered(home.resolve("mailroot/mailboxes")).get(0))).contains(id);
            assertThat(second.process().isAlive()).isTrue();
            second.terminate();
            assertThat(second.waitForExit(30)).isZero();
        }
    }

    @Test
    void aProtocolSinkThatCallsSystemExitEndsTheProcessWithStatus3AndIsDisabledSoTheRestartAcceptsTheRecipient() throws Exception {
        setUp("soft");
        store().update(r -> r.without("{0000000A-0000-0000-0000-00000000000A}").with(new Binding(
                "{0000000B-0000-0000-0000-00000000000B}", "gate killer", Events.ON_RCPT_TO, "killer.KillerGate", true,
                "RCPT TO=victim@*", 10, Map.of())));
        ChildServer first = start();
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.send("EHLO victim.test");
            smtp.send("MAIL FROM:<a@example.org>");
            smtp.write("RCPT TO:<victim@localhost>\r\n");
            assertThat(first.waitForExit(60)).as("an unplanned stop is not a success").isEqualTo(3);
        }
        assertThat(log()).contains("MR1015 the process is ending without a stop request", "KillerGate",
                "binding 'gate killer' {0000000B-0000-0000-0000-00000000000B} (killer.KillerGate) was calling; it is disabled");
        Binding gate = store().read().byId("{0000000B-0000-0000-0000-00000000000B}").orElseThrow();
        assertThat(gate.enabled()).isFalse();
        try (ChildServer second = start()) {
            send("victim@localhost");
            await().atMost(Duration.ofSeconds(15)).until(() -> TestServer.delivered(home.resolve("mailroot/mailboxes")).size() == 1);
            second.terminate();
            assertThat(second.waitForExit(30)).isZero();
        }
    }

    @Test
    void anOutOfMemoryErrorInAnyThreadStopsTheServerWithStatus3() throws Exception {
        setUp("soft");
        Files.writeString(home.resolve("conf/killer.yaml"), "oom: true\n");
        try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
            assertThat(child.waitForExit(60)).isEqualTo(3);
            assertThat(log()).contains("MR1015 java.lang.OutOfMemoryError: simulated", "the server stops after a fatal error");
        }
    }
}
