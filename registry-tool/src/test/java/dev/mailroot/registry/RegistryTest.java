package dev.mailroot.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every verb, run as the command line runs it, against a real store and real plugin jars. */
class RegistryTest {

    static final String ACTION = "test.sinks.ActionSink";
    static final String DEFAULT_ID = "{11111111-2222-3333-4444-555555555555}";

    @TempDir
    static Path work;
    static Path actionJar;

    @TempDir
    Path home;

    @BeforeAll
    static void buildPlugin() throws Exception {
        actionJar = PluginJarBuilder.plugin("action").version("2.1.0").source(ACTION, TestPlugins.ACTION_SINK)
                .build(work, work.resolve("action.jar"));
    }

    @BeforeEach
    void installPlugin() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(actionJar, home.resolve("plugins/action-2.1.0.jar"));
    }

    RegistryRun run(String... args) {
        return RegistryRun.in(home, args);
    }

    BindingStore store() {
        return new BindingStore(home.resolve("conf/bindings.yaml"));
    }

    String file() throws Exception {
        return Files.exists(store().file()) ? Files.readString(store().file()) : "";
    }

    static void refused(RegistryRun r, String... text) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("registry: ").contains(text).doesNotContain("\tat ", "Exception");
        assertThat(r.err().strip()).doesNotContain("\n");
    }

    @Test
    void addRegistersABindingThatEnumListsInRunOrderWithItsStatus() throws Exception {
        assertThat(run("add", "OnSubmission", "late", ACTION, "RCPT TO=*", "--priority", "500").exit()).isZero();
        RegistryRun added = run("add", "OnArrival", "early", ACTION, "MAIL FROM=*@example.com", "--priority", "10",
                "--prop", "action=tag", "--prop", "timeoutMs=2000", "--id", "{aaaaaaaa-0000-0000-0000-000000000001}");
        assertThat(added.exit()).isZero();
        assertThat(added.out()).contains("** SUCCESS **", "Display Name:early", "Binding GUID:{AAAAAAAA-0000-0000-0000-000000000001}",
                "Priority  :10 (0 - 32767, default: 24575)");
        assertThat(run("add", "OnSubmission", "ghost", "com.example.Missing", "--force", "--disabled").exit()).isZero();
        store().update(r -> r.change(r.byName("late").get(0).id(), b -> b.withFailure(
                new Binding.Failure(Instant.parse("2026-11-27T10:00:00Z"), 5, "threw java.lang.IllegalStateException: boom"))));

        RegistryRun e = run("enum");
        assertThat(e.exit()).isZero();
        String out = e.out();
        assertThat(out.indexOf("Name: early")).isLessThan(out.indexOf("Name: late"));
        assertThat(out.indexOf("Name: late")).isLessThan(out.indexOf("Name: ghost"));
        assertThat(out).contains(
                "                                   Event: OnSubmission\n",
                "                                      ID: {AAAAAAAA-0000-0000-0000-000000000001}\n",
                "                               SinkClass: " + ACTION + "\n",
                "                                 Enabled: True\n",
                "                        SourceProperties: {\n                                           Rule = MAIL FROM=*@example.com\n"
                        + "                                           Priority = 10\n                                          }\n",
                "                        SinkProperties    {\n                                           action = tag\n"
                        + "                                           timeoutMs = 2000\n",
                "Status: ok",
                "Status: disabled by server after 5 failures at 2026-11-27T10:00:00Z: threw java.lang.IllegalStateException: boom",
                "Status: sink class not provided by any plugin in plugins/",
                "Enabled: False");
        // as smtpreg's /enum: a property block only when its bag holds a property
        String late = out.substring(out.indexOf("Name: late"), out.indexOf("Status:", out.indexOf("Name: late")));
        assertThat(late).contains("SourceProperties: {", "Rule = RCPT TO=*").doesNotContain("SinkProperties");
        assertThat(run("/enum").out()).isEqualTo(out);
    }

    @Test
    void enumJsonIsTheScriptContract() throws Exception {
        run("add", "OnSubmission", "tagger", ACTION, "RCPT TO=a@*", "--prop", "action=tag");
        run("add", "OnSubmission", "always", ACTION);
        JsonNode a = new ObjectMapper().readTree(run("enum", "--json").out());
        assertThat(a.isArray()).isTrue();
        assertThat(a).hasSize(2);
        JsonNode always = a.get(0).get("name").asText().equals("always") ? a.get(0) : a.get(1);
        JsonNode tagger = always == a.get(0) ? a.get(1) : a.get(0);
        assertThat(tagger.get("id").asText()).matches("\\{[0-9A-F-]{36}}");
        assertThat(tagger.get("event").asText()).isEqualTo("OnSubmission");
        assertThat(tagger.get("sinkClass").asText()).isEqualTo(ACTION);
        assertThat(tagger.get("enabled").isBoolean()).isTrue();
        assertThat(tagger.get("rule").asText()).isEqualTo("RCPT TO=a@*");
        assertThat(tagger.get("priority").isNumber()).isTrue();
        assertThat(tagger.get("priority").asInt()).isEqualTo(24575);
        assertThat(tagger.get("sinkProperties").get("action").asText()).isEqualTo("tag");
        assertThat(tagger.get("status").asText()).isEqualTo("ok");
        assertThat(always.get("rule").isNull()).isTrue();
    }

    @Test
    void addRefusesBadInputWithOneLineAndLeavesTheFileAsItWas() throws Exception {
        run("add", "OnSubmission", "taken", ACTION);
        String before = file();
        refused(run("add", "OnPostCategorize", "x", ACTION), "unknown event 'OnPostCategorize'");
        refused(run("add", "OnSubmission", "x", ACTION, "RCPT TO=a;;b"), "does not parse at position 11", "empty clause");
        refused(run("add", "OnSubmission", "x", ACTION, "FROM=x"), "at position 1", "unknown keyword 'FROM'");
        refused(run("add", "OnSubmission", "x", ACTION, "--priority", "40000"), "priority 40000 is outside 0..32767");
        refused(run("add", "OnSubmission", "x", ACTION, "--priority", "-1"), "outside 0..32767");
        refused(run("add", "OnSubmission", "taken", ACTION), "named 'taken' exists already");
        refused(run("add", "OnSubmission", "x", "com.example.Missing"), "no plugin", "provides the sink class com.example.Missing", "--force");
        refused(run("add", "OnSubmission", "x", ACTION, "--id", "nope"), "is not a GUID");
        refused(run("add", "OnSubmission", "x", ACTION, "--prop", "novalue"), "is not name=value");
        refused(run("add", "OnSubmission", "x", ACTION, "--prop", "timeoutMs=soon"), "timeoutMs must be a positive whole number");
        refused(run("add", "OnSubmission", "x", ACTION, "--prop", "onError=explode"), "onError must be 'continue', 'badmail' or 'defer'");
        refused(run("add", "OnSubmission"), "Missing required parameters");
        String id = store().read().byName("taken").get(0).id();
        refused(run("add", "OnSubmission", "other", ACTION, "--id", id), "exists already");
        assertThat(file()).isEqualTo(before);
    }

    @Test
    void removeEnableAndDisableNameABindingByNameOrId() throws Exception {
        run("add", "OnSubmission", "one", ACTION);
        run("add", "OnSubmission", "two", ACTION);
        String two = store().read().byName("two").get(0).id();
        assertThat(run("disable", "one").out()).contains("Success: Sink Binding Disabled");
        assertThat(store().read().byName("one").get(0).enabled()).isFalse();
        assertThat(run("enable", "one").out()).contains("Success: Sink Binding Enabled");
        assertThat(store().read().byName("one").get(0).enabled()).isTrue();
        assertThat(run("/disable", two.toLowerCase()).exit()).isZero();
        assertThat(store().read().byId(two).orElseThrow().enabled()).isFalse();
        RegistryRun removed = run("remove", two);
        assertThat(removed.out()).contains("Removed Binding:", two);
        assertThat(store().read().byId(two)).isEmpty();
        refused(run("remove", "One"), "no binding is named 'One'", "case-sensitive");
        refused(run("enable", "{00000000-0000-0000-0000-000000000000}"), "no binding has the id");
        refused(run("enable", "{broken"), "is not a binding id");
    }

    @Test
    void aNameThatMatchesSeveralBindingsIsRefusedWithTheirIds() throws Exception {
        Binding a = new Binding(Binding.newId(), "twin", Events.ON_SUBMISSION, ACTION, true, null, 1, Map.of());
        Binding b = new Binding(Binding.newId(), "twin", Events.ON_SUBMISSION, ACTION, true, null, 2, Map.of());
        store().write(new BindingRegistry(List.of(a, b), Set.of()));
        refused(run("disable", "twin"), "matches 2 bindings", a.id(), b.id(), "by its id");
        assertThat(run("disable", a.id()).exit()).isZero();
    }

    @Test
    void setpropAndDelpropChangeSourceAndSinkProperties() throws Exception {
        run("add", "OnSubmission", "b", ACTION, "RCPT TO=x@*");
        assertThat(run("setprop", "b", "Source", "priority", "344").out()).contains("set property Priority to 344");
        assertThat(run("setprop", "b", "source", "Rule", "MAIL FROM=*@example.com;RCPT TO=y@*").exit()).isZero();
        assertThat(run("/setprop", "b", "sink", "action", "tag").exit()).isZero();
        assertThat(run("setprop", "b", "SINK", "timeoutMs", "1500").exit()).isZero();
        Binding b = store().read().byName("b").get(0);
        assertThat(b.priority()).isEqualTo(344);
        assertThat(b.rule()).isEqualTo("MAIL FROM=*@example.com;RCPT TO=y@*");
        assertThat(b.sinkProperties()).containsEntry("action", "tag").containsEntry("timeoutMs", "1500");

        String before = file();
        refused(run("setprop", "b", "source", "Priority", "high"), "not a whole number in 0..32767");
        refused(run("setprop", "b", "source", "Rule", "RCPT TO"), "does not parse at position 1");
        refused(run("setprop", "b", "source", "Color", "red"), "neither Rule nor Priority");
        refused(run("setprop", "b", "bag", "x", "y"), "neither 'source' nor 'sink'");
        refused(run("setprop", "b", "sink", "onError", "maybe"), "onError must be");
        refused(run("delprop", "b", "sink", "absent"), "has no sink property absent");
        assertThat(file()).isEqualTo(before);

        assertThat(run("delprop", "b", "sink", "timeoutMs").out()).contains("removed property timeoutMs");
        assertThat(run("delprop", "b", "source", "Rule").exit()).isZero();
        assertThat(run("delprop", "b", "source", "Priority").exit()).isZero();
        b = store().read().byName("b").get(0);
        assertThat(b.rule()).isNull();
        assertThat(b.priority()).isEqualTo(24575);
        assertThat(b.sinkProperties()).containsOnlyKeys("action");
    }

    @Test
    void reregisterPutsBackDefaultBindingsAndReenablesBindingsTheServerDisabled() throws Exception {
        run("add", "OnSubmission", "broken", ACTION, "--prop", "action=throw");
        store().update(r -> r.change(r.byName("broken").get(0).id(), b -> b.withFailure(
                new Binding.Failure(Instant.now(), 5, "threw boom"))));
        run("add", "OnSubmission", "admin-disabled", ACTION, "--disabled");
        RegistryRun r = run("reregister", "action");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("added default binding 'Action default' " + DEFAULT_ID + " of plugin 'action'",
                "re-enabled 'broken'", "threw boom");
        BindingRegistry reg = store().read();
        assertThat(reg.byId(DEFAULT_ID).orElseThrow().rule()).isEqualTo("RCPT TO=defaulted@*");
        assertThat(reg.registeredDefaults()).contains(DEFAULT_ID);
        assertThat(reg.byName("broken").get(0).enabled()).isTrue();
        assertThat(reg.byName("broken").get(0).failure()).isNull();
        assertThat(reg.byName("admin-disabled").get(0).enabled()).isFalse();
        assertThat(run("reregister").out()).contains("nothing to change");
        refused(run("reregister", "nosuch"), "no loadable plugin 'nosuch'", "found: action");
    }

    @Test
    void sinksListsEachJarWhetherItLoadsAndWhatItOffers() throws Exception {
        Path plugins = home.resolve("plugins");
        Files.write(plugins.resolve("garbage.jar"), new byte[]{1, 2, 3});
        PluginJarBuilder.plugin("future").manifest("Plugin-Requires", ">=9.0.0")
                .source("f.GreetingSink", TestPlugins.greetingSink("f")).source("shared.Greeting", TestPlugins.greeting("x"))
                .build(work, plugins.resolve("future.jar"));
        PluginJarBuilder.plugin("action").source("dup.GreetingSink", TestPlugins.greetingSink("dup"))
                .source("shared.Greeting", TestPlugins.greeting("x")).build(work, plugins.resolve("zz-duplicate.jar"));
        RegistryRun text = run("sinks");
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("Plugin: action 2.1.0 (action-2.1.0.jar)", "State: loads",
                "Sink: " + ACTION + " [OnSubmission]", "Default binding: 'Action default' " + DEFAULT_ID
                        + " rule=RCPT TO=defaulted@* priority=7 enabled=True props {action=tag}",
                "(garbage.jar)", "State: does not load: cannot be read as a jar",
                "State: does not load: requires Mailroot >=9.0.0; this is 1.0.0",
                "(zz-duplicate.jar)", "not used (a lower version): plugin 'action' 2.1.0 from action-2.1.0.jar (plugins/) is used");

        JsonNode a = new ObjectMapper().readTree(run("sinks", "--json").out());
        JsonNode action = a.get(0);
        assertThat(action.get("pluginId").asText()).isEqualTo("action");
        assertThat(action.get("version").asText()).isEqualTo("2.1.0");
        assertThat(action.get("state").asText()).isEqualTo("loads");
        assertThat(action.get("error").isNull()).isTrue();
        assertThat(action.get("sinks").get(0).get("className").asText()).isEqualTo(ACTION);
        assertThat(action.get("sinks").get(0).get("events").get(0).asText()).isEqualTo("OnSubmission");
        assertThat(action.get("defaultBindings").get(0).get("id").asText()).isEqualTo(DEFAULT_ID);
        assertThat(action.get("defaultBindings").get(0).get("priority").asInt()).isEqualTo(7);
        JsonNode garbage = null;
        for (JsonNode n : a) {
            if (n.get("jar").asText().equals("garbage.jar")) {
                garbage = n;
            }
        }
        assertThat(garbage).isNotNull();
        assertThat(garbage.get("state").asText()).isEqualTo("does not load");
        assertThat(garbage.get("error").asText()).contains("cannot be read as a jar");
    }

    @Test
    void testPrintsTheBindingsThatWouldFireInRunOrder() throws Exception {
        run("add", "OnSubmission", "connector", ACTION, "RCPT TO=*mspop3connector.*", "--priority", "0");
        run("add", "OnSubmission", "partners", ACTION, "EHLO=mx.partner.example;MAIL FROM=*@partner.example", "--priority", "50");
        run("add", "OnSubmission", "everyone", ACTION, "--priority", "100");
        run("add", "OnSubmission", "off", ACTION, "--disabled");
        run("add", "OnSubmission", "ghost", "com.example.Missing", "--force");
        RegistryRun r = run("test", "--mail-from", "alice@partner.example", "--rcpt", "mspop3connector.carol@localhost",
                "--rcpt", "bob@localhost", "--ehlo", "mx.partner.example", "--verbose");
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("== OnSubmission (after it is spooled, 2 recipients) ==");
        assertThat(lines.get(1)).matches("\\s+0  'connector' \\{[0-9A-F-]+}  RCPT TO=\\*mspop3connector\\.\\*"
                + "  \\(onError: continue, timeoutMs: 30000\\)");
        assertThat(lines.get(2)).matches("\\s+50  'partners' \\{[0-9A-F-]+}  EHLO=mx.partner.example  .*");
        assertThat(lines.get(3)).contains("100  'everyone'", "(no rule: always)");
        assertThat(r.out()).contains("'off'", "not fired: disabled", "'ghost'", "no plugin in plugins/ provides com.example.Missing");

        RegistryRun pickup = run("test", "--source", "pickup", "--mail-from", "x@other.example", "--rcpt", "bob@localhost",
                "--ehlo", "mx.partner.example");
        assertThat(pickup.out().lines()).hasSize(2).last().satisfies(l -> assertThat(l).contains("'everyone'"));
        refused(run("test", "--rcpt", "x@y"), "--mail-from");
        refused(run("test", "--mail-from", "a@b", "--rcpt", "x@y", "--source", "fax"),
                "--source must be smtp, pickup, sink or a connector's plugin id (plugins: action), not 'fax'");
        refused(run("test", "--mail-from", "a@b", "--rcpt", "x@y", "--client", "mx.example.com"), "--client must be an IPv4 or IPv6 address");
    }

    @Test
    void testVerboseGivesEachClauseOfABindingThatDidNotMatchAndWhyItFailed() throws Exception {
        run("add", "OnSubmission", "sales", ACTION, "RCPT TO=*@sales.example", "--id", "{CCCCCCCC-0000-0000-0000-000000000001}");
        run("add", "OnSubmission", "partners", ACTION, "EHLO=mx.partner.example;MAIL FROM=*@partner.example",
                "--id", "{CCCCCCCC-0000-0000-0000-000000000002}", "--priority", "5");
        run("add", "OnSubmission", "everyone", ACTION, "--id", "{CCCCCCCC-0000-0000-0000-000000000003}");
        RegistryRun r = run("test", "--mail-from", "alice@other.example", "--rcpt", "bob@example.org", "--rcpt", "carol@localhost",
                "--ehlo", "mail.other.example", "--verbose");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "== OnSubmission (after it is spooled, 2 recipients) ==",
                "24575  'everyone' {CCCCCCCC-0000-0000-0000-000000000003}  (no rule: always)  (onError: continue, timeoutMs: 30000)",
                "  -    'partners' {CCCCCCCC-0000-0000-0000-000000000002}  not fired: no clause of its rule matched (';' means OR)",
                "         EHLO=mx.partner.example: the HELO/EHLO name did not match (mail.other.example)",
                "         MAIL FROM=*@partner.example: the sender did not match (alice@other.example)",
                "  -    'sales' {CCCCCCCC-0000-0000-0000-000000000001}  not fired: its rule did not match",
                "         RCPT TO=*@sales.example: no recipient matched (bob@example.org, carol@localhost)");

        RegistryRun pickup = run("test", "--source", "pickup", "--mail-from", "", "--rcpt", "ann@sales.example", "--verbose");
        assertThat(pickup.out()).contains("'sales'", "  -    'partners'",
                "         EHLO=mx.partner.example: the HELO/EHLO name is empty (pickup mail has none)",
                "         MAIL FROM=*@partner.example: the sender did not match (<>, the null sender)");
        assertThat(pickup.out()).doesNotContain("  -    'sales'");
    }

    @Test
    void verifyReportsEveryProblemAndExits1() throws Exception {
        run("add", "OnSubmission", "fine", ACTION, "--prop", "action=tag");
        RegistryRun ok = run("verify");
        assertThat(ok.exit()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("verify: ok (1 binding(s), 1 plugin jar(s))");

        run("add", "OnSubmission", "ghost", "com.example.Missing", "--force");
        Files.write(home.resolve("plugins/garbage.jar"), new byte[]{9});
        Binding twin = new Binding(Binding.newId(), "fine", Events.ON_SUBMISSION, ACTION, true, null, 3,
                Map.of("timeoutMs", "never"));
        store().update(r -> r.with(twin));
        RegistryRun bad = run("verify");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.out()).contains("plugin jar garbage.jar: does not load",
                "binding 'ghost'", "sink class not provided by any plugin in plugins/: com.example.Missing",
                "another OnSubmission binding has the same name", "timeoutMs must be a positive whole number",
                "verify: 5 problem(s)");
        JsonNode json = new ObjectMapper().readTree(run("verify", "--json").out());
        assertThat(json.get("ok").asBoolean()).isFalse();
        assertThat(json.get("problems")).hasSize(5);

        Files.writeString(store().file(), "bindings: [ {\n");
        RegistryRun corrupt = run("verify");
        assertThat(corrupt.exit()).isEqualTo(1);
        assertThat(corrupt.out()).contains("bindings.yaml (line 1): not valid YAML at column 14: ");
        assertThat(corrupt.out().lines().filter(l -> l.contains("bindings.yaml"))).hasSize(1);
        refused(run("enum"), "not valid YAML");
    }

    static final String GOOD = """
              - id: "{AAAAAAAA-0000-0000-0000-000000000001}"
                name: tag sales
                event: OnSubmission
                sinkClass: %s
                rule: "RCPT TO=*@sales.example"
                priority: 10
              - id: "{AAAAAAAA-0000-0000-0000-000000000002}"
                name: always
                event: OnArrival
                sinkClass: %s
                sinkProperties: {timeoutMs: "2000", onError: badmail}
            """.formatted(ACTION, ACTION);

    @Test
    void verifyChecksEachBindingOnItsOwnAndPrintsEveryProblemWithNameIdAndField() throws Exception {
        Files.createDirectories(store().file().getParent());
        Files.writeString(store().file(), "bindings:\n" + GOOD + """
                  - id: "{BBBBBBBB-0000-0000-0000-000000000001}"
                    name: empty clause
                    event: OnSubmission
                    sinkClass: %s
                    rule: "RCPT TO=a@*;;MAIL FROM=b@*"
                  - id: "{BBBBBBBB-0000-0000-0000-000000000002}"
                    name: no keyword
                    event: OnSubmission
                    sinkClass: %s
                    rule: "FROM=boss@*"
                  - id: "{BBBBBBBB-0000-0000-0000-000000000003}"
                    name: wrong event
                    event: OnPostCategorize
                    sinkClass: %s
                  - id: "{aaaaaaaa-0000-0000-0000-000000000001}"
                    name: twin id
                    event: OnSubmission
                    sinkClass: %s
                  - id: "{BBBBBBBB-0000-0000-0000-000000000005}"
                    name: ghost
                    event: OnSubmission
                    sinkClass: com.example.Missing
                  - id: "{BBBBBBBB-0000-0000-0000-000000000006}"
                    name: classless
                    event: OnSubmission
                """.formatted(ACTION, ACTION, ACTION, ACTION));
        refused(run("enum"), "(line 13): binding 3 'empty clause'", "and 4 more problem(s)");

        RegistryRun r = run("verify");
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out().lines().toList()).containsExactly(
                "binding 'empty clause' {BBBBBBBB-0000-0000-0000-000000000001} (line 13): rule 'RCPT TO=a@*;;MAIL FROM=b@*' "
                        + "does not parse at position 13: empty clause (two ';' in a row, or a ';' at the start or end)",
                "binding 'no keyword' {BBBBBBBB-0000-0000-0000-000000000002} (line 18): rule 'FROM=boss@*' does not parse "
                        + "at position 1: unknown keyword 'FROM'; expected EHLO, HELO, MAIL FROM, RCPT TO or SOURCE",
                "binding 'wrong event' {BBBBBBBB-0000-0000-0000-000000000003} (line 23): unknown event 'OnPostCategorize' "
                        + "(known: " + Events.known() + ")",
                "binding 'twin id' {AAAAAAAA-0000-0000-0000-000000000001} (line 27): id {AAAAAAAA-0000-0000-0000-000000000001} "
                        + "is used by another binding: 'tag sales' (line 2)",
                "binding 'ghost' {BBBBBBBB-0000-0000-0000-000000000005} (line 31): sink class not provided by any "
                        + "plugin in plugins/: com.example.Missing",
                "binding 'classless' {BBBBBBBB-0000-0000-0000-000000000006} (line 35): 'sinkClass' is missing",
                "verify: 6 problem(s)");

        JsonNode json = new ObjectMapper().readTree(run("verify", "--json").out());
        assertThat(json.get("ok").asBoolean()).isFalse();
        assertThat(json.get("bindings").asInt()).isEqualTo(8);
        assertThat(json.get("problems")).extracting(p -> p.get("field").asText())
                .containsExactly("rule", "rule", "event", "id", "sinkClass", "sinkClass");
        assertThat(json.get("problems").get(2).get("subject").asText())
                .isEqualTo("binding 'wrong event' {BBBBBBBB-0000-0000-0000-000000000003}");
        assertThat(json.get("problems").get(2).get("line").asInt()).isEqualTo(23);
    }

    @Test
    void verifyPassesAGoodHandWrittenFile() throws Exception {
        Files.createDirectories(store().file().getParent());
        Files.writeString(store().file(), "bindings:\n" + GOOD + "registeredDefaults: []\n");
        RegistryRun r = run("verify");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).isEqualTo("verify: ok (2 binding(s), 1 plugin jar(s))\n");
    }

    @Test
    void everyVerbHasHelpWithAnExample() {
        for (String verb : List.of("enum", "add", "remove", "enable", "disable", "setprop", "delprop", "reregister",
                "sinks", "test", "verify")) {
            StringWriter out = new StringWriter();
            int exit = Registry.execute(new String[]{verb, "--help"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
            assertThat(exit).isZero();
            assertThat(out.toString()).as(verb).contains("Usage: registry " + verb, "--home", "Example");
        }
        RegistryRun unknown = run("frobnicate");
        refused(unknown, "unknown verb 'frobnicate'");
    }
}
