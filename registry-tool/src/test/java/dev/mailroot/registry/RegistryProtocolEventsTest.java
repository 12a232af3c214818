package dev.mailroot.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.mailroot.registry.RegistryTest.ACTION;
import static dev.mailroot.registry.RegistryTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

/** The protocol events (OnConnect .. OnEndOfData) in every verb, against a real store and a real plugin jar. */
class RegistryProtocolEventsTest {

    static final String HELO = "test.gate.HeloGate";
    static final String RCPT = "test.gate.RcptGate";
    static final String CONNECT = "test.gate.ConnectGate";

    static final String HELO_GATE = """
            package test.gate;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            /** Serves two events: a class may, each binding names the one it is for. */
            @Extension
            public class HeloGate implements OnHeloSink, OnSubmissionSink {
                @Override
                public Verdict onHelo(ProtocolSession s, String name, boolean ehlo, SinkContext c) {
                    return Verdict.proceed();
                }

                @Override
                public SinkStatus onSubmission(Submission s, SinkContext c) {
                    return SinkStatus.RUN_NEXT_SINK;
                }
            }
            """;

    static final String RCPT_GATE = """
            package test.gate;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            @Extension
            @DefaultBinding(id = "{22222222-0000-0000-0000-000000000001}", name = "Recipient gate", rule = "SOURCE=smtp",
                    priority = 3, properties = {"onError=tempfail"})
            public class RcptGate implements OnRcptToSink {
                @Override
                public Verdict onRcptTo(ProtocolSession s, RcptToCommand c, SinkContext x) {
                    return Verdict.proceed();
                }
            }
            """;

    static final String CONNECT_GATE = """
            package test.gate;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            @Extension
            public class ConnectGate implements OnConnectSink {
                @Override
                public Verdict onConnect(ProtocolSession s, SinkContext c) {
                    return Verdict.proceed();
                }
            }
            """;

    @TempDir
    static Path work;
    static Path actionJar;
    static Path gateJar;

    @TempDir
    Path home;

    @BeforeAll
    static void buildPlugins() throws Exception {
        actionJar = PluginJarBuilder.plugin("action").version("2.1.0").source(ACTION, TestPlugins.ACTION_SINK)
                .build(work, work.resolve("action.jar"));
        gateJar = PluginJarBuilder.plugin("gate").version("1.0.0").source(HELO, HELO_GATE).source(RCPT, RCPT_GATE)
                .source(CONNECT, CONNECT_GATE).build(work, work.resolve("gate.jar"));
    }

    @BeforeEach
    void installPlugins() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(actionJar, home.resolve("plugins/action-2.1.0.jar"));
        Files.copy(gateJar, home.resolve("plugins/gate-1.0.0.jar"));
    }

    RegistryRun run(String... args) {
        return RegistryRun.in(home, args);
    }

    BindingStore store() {
        return new BindingStore(home.resolve("conf/bindings.yaml"));
    }

    Binding only(String name) throws Exception {
        return store().read().byName(name).get(0);
    }

    @Test
    void sinksListsEverySinkClassWithTheEventsItImplements() throws Exception {
        RegistryRun text = run("sinks");
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("Plugin: gate 1.0.0 (gate-1.0.0.jar)", "Sink: " + HELO + " [OnHelo, OnSubmission]",
                "Sink: " + RCPT + " [OnRcptTo]", "Sink: " + CONNECT + " [OnConnect]", "Sink: " + ACTION + " [OnSubmission]",
                "Default binding: 'Recipient gate' {22222222-0000-0000-0000-000000000001} rule=SOURCE=smtp priority=3 "
                        + "enabled=True props {onError=tempfail}");
        JsonNode gate = null;
        for (JsonNode n : new ObjectMapper().readTree(run("sinks", "--json").out())) {
            if (n.get("pluginId").asText().equals("gate")) {
                gate = n;
            }
        }
        assertThat(gate).isNotNull();
        for (JsonNode s : gate.get("sinks")) {
            if (s.get("className").asText().equals(HELO)) {
                assertThat(s.get("events")).extracting(JsonNode::asText).containsExactly("OnHelo", "OnSubmission");
            }
        }
        assertThat(gate.get("defaultBindings").get(0).get("event").asText()).isEqualTo("OnRcptTo");
        RegistryRun verify = run("verify");
        assertThat(verify.exit()).as(verify.out()).isZero();
    }

    @Test
    void addTakesEveryProtocolEventByItsNameOrItsIisAndExchangeNames() throws Exception {
        assertThat(run("add", "OnConnect", "connect", CONNECT).exit()).isZero();
        assertThat(run("add", "OnEhlo", "helo", HELO).exit()).isZero();
        RegistryRun rcpt = run("add", "OnRcptCommand", "rcpt", RCPT, "RCPT TO=*@example.org");
        assertThat(rcpt.out()).contains(" Event Name  :OnRcptTo").doesNotContain("Mapped");
        assertThat(only("connect").event()).isEqualTo(Events.ON_CONNECT);
        assertThat(only("helo").event()).isEqualTo(Events.ON_HELO);
        assertThat(only("rcpt").event()).isEqualTo(Events.ON_RCPT_TO);
    }

    @Test
    void addMapsAnIisOnInboundCommandBindingToTheEventOfItsCommandAndSaysSo() throws Exception {
        RegistryRun ehlo = run("add", "SMTP Protocol OnInboundCommand", "greeting", HELO, "EHLO");
        assertThat(ehlo.exit()).as(ehlo.err()).isZero();
        assertThat(ehlo.out().lines().toList()).startsWith(
                "Mapped: SMTP Protocol OnInboundCommand with the rule 'EHLO' is bound to OnHelo with no rule (always)",
                "** SUCCESS **", "Registered Binding:", " Event Name  :OnHelo");
        assertThat(only("greeting").rule()).isNull();

        RegistryRun rcpt = run("/add", "OnInboundCommand", "org recipients", RCPT, "rcpt to=*@example.org");
        assertThat(rcpt.out()).contains("Mapped: OnInboundCommand with the rule 'rcpt to=*@example.org' is bound to OnRcptTo "
                + "with the rule 'rcpt to=*@example.org'", "   Rule      :rcpt to=*@example.org");
        assertThat(only("org recipients").event()).isEqualTo(Events.ON_RCPT_TO);

        String before = Files.readString(store().file());
        refused(run("add", "SMTP Protocol OnInboundCommand", "verify", RCPT, "VRFY"),
                "the command 'VRFY' in OnInboundCommand rule 'VRFY' has no Mailroot event");
        refused(run("add", "SMTP Protocol OnInboundCommand", "two", RCPT, "EHLO;RCPT"),
                "names commands of two events (OnHelo and OnRcptTo); make one binding per command");
        refused(run("add", "SMTP Protocol OnInboundCommand", "none", RCPT), "needs a rule naming the command");
        assertThat(Files.readString(store().file())).isEqualTo(before);
    }

    @Test
    void addRefusesASinkClassThatDoesNotServeTheEventUnlessForced() throws Exception {
        refused(run("add", "OnConnect", "wrong", ACTION), "the sink class cannot serve OnConnect: " + ACTION
                + " implements OnSubmissionSink, not OnConnectSink (plugin 'action') ('registry sinks' lists each sink's events; "
                + "--force adds it anyway)");
        refused(run("add", "SMTP Protocol OnInboundCommand", "wrong", RCPT, "MAIL"), "cannot serve OnMailFrom: " + RCPT
                + " implements OnRcptToSink, not OnMailFromSink");
        assertThat(store().file()).doesNotExist();
        assertThat(run("add", "OnSubmission", "two events", HELO).exit()).isZero();

        assertThat(run("add", "OnConnect", "forced", ACTION, "--force").exit()).isZero();
        RegistryRun verify = run("verify");
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("binding 'forced' ", ": the sink class cannot serve OnConnect: " + ACTION
                + " implements OnSubmissionSink, not OnConnectSink (plugin 'action')", "verify: 1 problem(s)");
        assertThat(run("enum").out()).contains("Status: sink class not provided by any plugin in plugins/ for OnConnect: "
                + ACTION + " implements OnSubmissionSink, not OnConnectSink (plugin 'action'); its mail passes without it");
    }

    @Test
    void onErrorIsCheckedAgainstTheBindingsEvent() throws Exception {
        refused(run("add", "OnHelo", "h", HELO, "--prop", "onError=badmail"),
                "onError must be 'continue' or 'tempfail' for a protocol event (OnHelo), not 'badmail'");
        refused(run("add", "OnSubmission", "s", HELO, "--prop", "onError=tempfail"),
                "onError must be 'continue', 'badmail' or 'defer' for OnSubmission, not 'tempfail'");
        assertThat(run("add", "OnHelo", "h", HELO, "--prop", "onError=tempfail", "--prop", "timeoutMs=800").exit()).isZero();
        assertThat(run("add", "OnSubmission", "s", HELO, "--prop", "onError=defer").exit()).isZero();
        refused(run("setprop", "h", "sink", "onError", "defer"), "for a protocol event (OnHelo), not 'defer'");
        refused(run("setprop", "s", "sink", "onError", "tempfail"), "for OnSubmission, not 'tempfail'");
        assertThat(run("setprop", "h", "sink", "onError", "continue").exit()).isZero();
        assertThat(only("h").sinkProperties()).containsEntry("onError", "continue");

        // a hand edit: the file is refused, and verify names the problem once
        Files.writeString(store().file(), Files.readString(store().file()).replace("onError: \"continue\"", "onError: \"badmail\""));
        refused(run("enum"), "onError must be 'continue' or 'tempfail' for a protocol event (OnHelo), not 'badmail'");
        RegistryRun verify = run("verify");
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out().lines().filter(l -> l.contains("onError"))).hasSize(1);
        assertThat(verify.out()).contains("verify: 1 problem(s)");
    }

    @Test
    void enumListsTheProtocolEventsFirstInTheOrderTheyFireThenOnSubmission() throws Exception {
        run("add", "OnSubmission", "tag", ACTION, "--priority", "1");
        run("add", "OnRcptTo", "late rcpt", RCPT, "--priority", "900");
        run("add", "OnRcptTo", "early rcpt", RCPT, "SOURCE=smtp", "--priority", "10", "--prop", "onError=tempfail");
        run("add", "OnConnect", "connect", CONNECT, "--disabled");
        RegistryRun e = run("enum");
        assertThat(e.exit()).isZero();
        String out = e.out();
        assertThat(out.lines().filter(l -> l.startsWith("    Name: ")).toList()).containsExactly(
                "    Name: OnConnect (Exchange: OnConnectEvent; before the greeting)",
                "    Name: OnRcptTo (IIS: SMTP Protocol OnInboundCommand, rule RCPT; Exchange: OnRcptCommand)",
                "    Name: OnSubmission (IIS: SMTP OnTransportSubmission/OnArrival)");
        assertThat(out.lines().filter(l -> l.startsWith("    Bindings: ")).toList())
                .containsExactly("    Bindings: 1, in run order", "    Bindings: 2, in run order", "    Bindings: 1, in run order");
        assertThat(out.indexOf("Name: connect")).isLessThan(out.indexOf("Name: early rcpt"));
        assertThat(out.indexOf("Name: early rcpt")).isLessThan(out.indexOf("Name: late rcpt"));
        assertThat(out.indexOf("Name: late rcpt")).isLessThan(out.indexOf("Name: tag"));
        assertThat(out).contains("                                   Event: OnRcptTo\n",
                "                                           Rule = SOURCE=smtp\n", "onError = tempfail");

        JsonNode a = new ObjectMapper().readTree(run("enum", "--json").out());
        assertThat(a).extracting(n -> n.get("name").asText()).containsExactly("connect", "early rcpt", "late rcpt", "tag");
        assertThat(a).extracting(n -> n.get("event").asText()).containsExactly("OnConnect", "OnRcptTo", "OnRcptTo", "OnSubmission");
        assertThat(a.get(1).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void enumWithOnlyOnSubmissionBindingsPrintsWhatItPrintedBeforeTheProtocolEvents() throws Exception {
        run("add", "OnSubmission", "tag", ACTION, "RCPT TO=*@example.org", "--priority", "5", "--id",
                "{AAAAAAAA-0000-0000-0000-000000000001}");
        assertThat(run("enum").out()).isEqualTo("""
                server not running: status from files
                 -------------
                | Event Type  |
                 -------------
                    Name: OnSubmission (IIS: SMTP OnTransportSubmission/OnArrival)
                    Bindings: 1, in run order
                                        ---------
                                       | Binding |
                                        ---------
                                                   Event: OnSubmission
                                                      ID: {AAAAAAAA-0000-0000-0000-000000000001}
                                                    Name: tag
                                               SinkClass: test.sinks.ActionSink
                                                 Enabled: True
                                        SourceProperties: {
                                                           Rule = RCPT TO=*@example.org
                                                           Priority = 5
                                                          }
                                                  Status: ok
                """);
    }

    @Test
    void testExplainsEachEventInTheOrderItFiresWithWhatItsRulesSee() throws Exception {
        Files.createDirectories(store().file().getParent());
        run("add", "OnConnect", "smtp clients", CONNECT, "SOURCE=smtp", "--priority", "1", "--id", id(1));
        run("add", "OnConnect", "connector mail", CONNECT, "SOURCE=pop3-*;MAIL FROM=*", "--priority", "2", "--id", id(2));
        run("add", "OnHelo", "partner greeting", HELO, "EHLO=*.partner.example", "--id", id(3), "--prop", "timeoutMs=800");
        run("add", "OnRcptTo", "org recipients", RCPT, "RCPT TO=*@example.org", "--prop", "onError=tempfail", "--id", id(4));
        run("add", "OnSubmission", "tag", ACTION, "--priority", "5", "--id", id(5));
        run("add", "OnSubmission", "off", ACTION, "--disabled", "--id", id(6));
        run("add", "OnEndOfData", "only disabled", ACTION, "--disabled", "--force", "--id", id(7));

        RegistryRun r = run("test", "--client", "192.0.2.7", "--helo", "mx.partner.example", "--from", "alice@partner.example",
                "--to", "bob@example.org", "--to", "carol@localhost");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "== OnConnect (source smtp, client 192.0.2.7; only the source is known) ==",
                "    1  'smtp clients' " + id(1) + "  SOURCE=smtp  (onError: continue, timeoutMs: 5000)",
                "== OnHelo (HELO/EHLO mx.partner.example) ==",
                "24575  'partner greeting' " + id(3) + "  EHLO=*.partner.example  (onError: continue, timeoutMs: 800)",
                "== OnRcptTo (RCPT TO:<bob@example.org>) ==",
                "24575  'org recipients' " + id(4) + "  RCPT TO=*@example.org  (onError: tempfail, timeoutMs: 5000)",
                "== OnRcptTo (RCPT TO:<carol@localhost>) ==",
                "  none fires",
                "== OnSubmission (after it is spooled, 2 recipients) ==",
                "    5  'tag' " + id(5) + "  (no rule: always)  (onError: continue, timeoutMs: 30000)");

        RegistryRun verbose = run("test", "--source", "Pickup", "--from", "ann@partner.example", "--to", "carol@localhost",
                "--ehlo", "mx.partner.example", "--verbose");
        assertThat(verbose.exit()).isZero();
        assertThat(verbose.out().lines().toList()).containsExactly(
                "source pickup: OnConnect, OnMailFrom, OnRcptTo and OnEndOfData run in the queue before the OnSubmission "
                        + "sinks, on a session built from its envelope (no HELO: OnHelo does not fire, --ehlo is not used)",
                "== OnConnect (source pickup; only the source is known) ==",
                "  none fires",
                "  -    'smtp clients' " + id(1) + "  not fired: its rule did not match",
                "         SOURCE=smtp: the source did not match (pickup)",
                "  -    'connector mail' " + id(2) + "  not fired: no clause of its rule matched (';' means OR)",
                "         SOURCE=pop3-*: the source did not match (pickup)",
                "         MAIL FROM=*: the sender is not known yet at this event",
                "== OnRcptTo (RCPT TO:<carol@localhost>) ==",
                "  none fires",
                "  -    'org recipients' " + id(4) + "  not fired: its rule did not match",
                "         RCPT TO=*@example.org: no recipient matched (carol@localhost)",
                "== OnEndOfData (the message, 1 recipient) ==",
                "  none fires",
                "  -    'only disabled' " + id(7) + "  not fired: disabled",
                "== OnSubmission (after it is spooled, 1 recipient) ==",
                "    5  'tag' " + id(5) + "  (no rule: always)  (onError: continue, timeoutMs: 30000)",
                "  -    'off' " + id(6) + "  not fired: disabled");
    }

    @Test
    void testNamesAConnectorByItsPluginIdAndShowsAMissingSinkThatHoldsTheMail() throws Exception {
        store().write(dev.mailroot.bindings.BindingRegistry.empty().with(new Binding(id(1), "connector mail", Events.ON_CONNECT,
                CONNECT, true, "SOURCE=gate", 1, Map.of())).with(new Binding(id(2), "must run", Events.ON_MAIL_FROM,
                "com.example.Gone", true, null, 2, Map.of("onMissing", "tempfail"))));
        RegistryRun r = run("test", "--source", "gate", "--mail-from", "", "--rcpt", "x@localhost");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "source gate: OnConnect, OnMailFrom, OnRcptTo and OnEndOfData run in the queue before the OnSubmission "
                        + "sinks, on a session built from its envelope (no HELO: OnHelo does not fire)",
                "== OnConnect (source gate; only the source is known) ==",
                "    1  'connector mail' " + id(1) + "  SOURCE=gate  (onError: continue, timeoutMs: 5000)",
                "== OnMailFrom (MAIL FROM:<>) ==",
                "  !    'must run' " + id(2) + "  not called: no plugin in plugins/ provides com.example.Gone; its mail waits "
                        + "in the spool until the sink is back (onMissing: tempfail)",
                "  none fires");
        assertThat(run("test", "--mail-from", "a@b", "--rcpt", "c@d", "--client", "2001:db8::7").exit()).isZero();
        assertThat(RegistryRun.in(home, "test", "--mail-from", "a@b", "--rcpt", "c@d", "--source", "sink").exit()).isZero();
    }

    private static String id(int n) {
        return "{DDDDDDDD-0000-0000-0000-00000000000" + n + "}";
    }

    @Test
    void everyProtocolEventHasADisplayLine() {
        for (String e : List.copyOf(Events.ALL)) {
            assertThat(EnumCommand.displayName(e)).startsWith(e + " (");
        }
    }
}
