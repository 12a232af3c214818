package dev.mailroot.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Control characters in what the registry stores and shows: refused on the way in, shown escaped
 * on the way out (a hand-edited file, a server-written failure, a plugin's manifest), so no
 * listing forges a line or carries a terminal escape.
 */
class RegistryControlCharactersTest {

    static final String ACTION = "test.sinks.ActionSink";
    static final String FORGED = "2026-12-04 00:00:00.000 INFO";
    static final String EVIL_NAME = "evil\n" + FORGED + " forged \u001b[2J\u009b31m";

    @TempDir
    Path home;

    RegistryRun run(String... args) {
        return RegistryRun.in(home, args);
    }

    BindingStore store() {
        return new BindingStore(home.resolve("conf/bindings.yaml"));
    }

    /** Output a terminal may show: one line per line, no control character but the line ends. */
    static void printable(String output) {
        assertThat(ControlCharacters.indexOf(output.replace("\n", ""))).as(output).isEqualTo(-1);
        assertThat(output.lines().filter(l -> l.startsWith(FORGED))).as(output).isEmpty();
    }

    static void refused(RegistryRun r, String... text) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("registry: ").contains(text).endsWith("\n");
        assertThat(r.err().strip()).doesNotContain("\n");
        printable(r.err());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void addAndSetpropRefuseControlCharactersInEveryTextField() throws Exception {
        refused(run("add", "OnSubmission", "a\nb", ACTION, "--force"),
                "the name 'a\\nb' contains a control character (\\n at position 2)");
        refused(run("add", "OnSubmission", "ok", ACTION, "RCPT TO=*\u001b[31m*", "--force"), "the rule", "\\x1b at position 10");
        refused(run("add", "OnSubmission", "ok", "com.example.\u0085Sink", "--force"), "the sink class", "\\x85");
        refused(run("add", "OnSubmission\t", "ok", ACTION, "--force"), "the event", "\\t");
        refused(run("add", "OnSubmission", "ok", ACTION, "--force", "--prop", "header=X-\u2028Team"), "--prop", "\\u2028");
        refused(run("add", "OnSubmission", "ok", ACTION, "--force", "--prop", "he\u007fader=x"), "--prop", "\\x7f");
        assertThat(store().file()).doesNotExist();

        assertThat(run("add", "OnSubmission", "ok", ACTION, "--force").exit()).isZero();
        String before = Files.readString(store().file());
        refused(run("setprop", "ok", "sink", "value", "a\u001b]0;owned\u0007"), "the value", "\\x1b at position 2");
        refused(run("setprop", "ok", "sink", "na\nme", "x"), "the property name");
        refused(run("setprop", "ok", "source", "Rule", "RCPT TO=a\r\n@b"), "the value", "\\r");
        assertThat(Files.readString(store().file())).isEqualTo(before);
    }

    @Test
    void enumTestAndVerifyShowAHandEditedFileEscaped() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("action").source(ACTION, TestPlugins.ACTION_SINK)
                .build(home, home.resolve("plugins/action.jar"));
        Binding evil = new Binding(Binding.newId(), EVIL_NAME, Events.ON_SUBMISSION, ACTION, false, "RCPT TO=*@example.org", 10,
                Map.of("value", "x\u001b]0;owned\u0007"));
        store().write(BindingRegistry.empty().with(evil));
        store().update(r -> r.change(evil.id(), b -> b.withFailure(
                new Binding.Failure(Instant.parse("2026-11-27T10:00:00Z"), 5, "threw\n" + FORGED + " \u001b[31mboom"))));

        RegistryRun e = run("enum");
        assertThat(e.exit()).isZero();
        printable(e.out());
        assertThat(e.out()).contains("Name: evil\\n" + FORGED + " forged \\x1b[2J\\x9b31m", "value = x\\x1b]0;owned\\x07", "5 failures at 2026-11-27T10:00:00Z: threw\\n" + FORGED + " \\x1b[31mboom");

        RegistryRun json = run("enum", "--json");
        assertThat(json.exit()).isZero();
        printable(json.out());
        JsonNode a = new ObjectMapper().readTree(json.out());
        assertThat(a.get(0).get("name").asText()).isEqualTo(EVIL_NAME); // scripts get the text back exactly
        assertThat(a.get(0).get("sinkProperties").get("value").asText()).isEqualTo("x\u001b]0;owned\u0007");

        RegistryRun test = run("test", "--mail-from", "a\u001b[5m@example.org", "--rcpt", "b\u001b@example.org", "--verbose");
        assertThat(test.exit()).isZero();
        printable(test.out());
        assertThat(test.out()).contains("'evil\\n" + FORGED);

        RegistryRun verify = run("verify");
        assertThat(verify.exit()).isEqualTo(1);
        printable(verify.out());
        assertThat(verify.out()).contains("name contains a control character (\\n at position 5)",
                "sinkProperties contains a control character (\\x1b at position 2)");
        RegistryRun verifyJson = run("verify", "--json");
        printable(verifyJson.out());
        assertThat(new ObjectMapper().readTree(verifyJson.out()).get("problems")).extracting(p -> p.get("field").asText())
                .contains("name", "sinkProperties");

        RegistryRun remove = run("remove", evil.id());
        assertThat(remove.exit()).isZero();
        printable(remove.out());
        assertThat(remove.out()).contains("Display Name:evil\\n" + FORGED);
        refused(run("remove", "gone\u001b[2J"), "no binding is named 'gone\\x1b[2J'");
    }

    @Test
    void sinksShowsAPluginsManifestEscaped() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("evil\u001b[2Jplugin").version("1.0.0\u001b]0;owned\u0007")
                .manifest("Plugin-Requires", ">=1.0.0\u001b[31m").source(ACTION, TestPlugins.ACTION_SINK)
                .build(home, home.resolve("plugins/evil.jar"));
        for (List<String> args : List.of(List.of("sinks"), List.of("sinks", "--json"), List.of("verify"))) {
            RegistryRun r = run(args.toArray(String[]::new));
            printable(r.out());
            assertThat(r.out()).as(String.join(" ", args)).contains("evil");
        }
        assertThat(run("sinks").out()).contains("evil\\x1b[2Jplugin");
    }
}
