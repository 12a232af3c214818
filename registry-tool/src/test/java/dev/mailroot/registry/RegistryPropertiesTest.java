package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Events;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Random arguments: exit 0, 1 or 2, at most one line on stderr, never a stack trace, no raw control character. */
class RegistryPropertiesTest {

    private static Path home;

    @BeforeContainer
    static void home() throws Exception {
        home = Files.createTempDirectory("mailroot-registry-props");
        Files.createDirectories(home.resolve("plugins"));
        new BindingStore(home.resolve("conf/bindings.yaml")).write(new BindingRegistry(List.of(
                new Binding("{00000000-0000-0000-0000-000000000001}", "one", Events.ON_SUBMISSION, "a.Sink", true,
                        "RCPT TO=*", 5, Map.of("k", "v")),
                new Binding("{00000000-0000-0000-0000-000000000002}", "two", Events.ON_SUBMISSION, "a.Sink", false,
                        null, 6, Map.of())), Set.of()));
    }

    @Provide
    Arbitrary<List<String>> arguments() {
        Arbitrary<String> words = Arbitraries.of("enum", "/enum", "add", "remove", "enable", "disable", "setprop", "delprop",
                "reregister", "sinks", "test", "verify", "--json", "--help", "--verbose", "--force", "--disabled",
                "--priority", "40000", "-1", "7", "--id", "{00000000-0000-0000-0000-000000000001}", "{bad", "--prop", "k=v",
                "timeoutMs=x", "onError=badmail", "--mail-from", "a@b", "--rcpt", "x@y", "--ehlo", "--source", "pickup",
                "fax", "OnSubmission", "OnArrival", "OnFoo", "one", "two", "One", "source", "sink", "Rule", "Priority",
                "RCPT TO=*", "RCPT TO=;;", "a.Sink", "", " ", "--", "-x", "--unknown");
        Arbitrary<String> any = Arbitraries.oneOf(words, words, words, Arbitraries.strings().ofMaxLength(12));
        return any.list().ofMaxSize(8);
    }

    @Property(tries = 400)
    void anyArgumentsGiveAnExitCodeAndAtMostOneLine(@ForAll("arguments") List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--home");
        all.add(home.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Registry.execute(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(all.toString()).isIn(0, 1, 2);
        assertThat(err.toString().strip().lines().count()).as(all + " -> " + err).isLessThanOrEqualTo(1);
        assertThat(out + err.toString()).as(all.toString()).doesNotContain("\tat ", "Exception in thread");
        assertThat(err.toString()).doesNotContain("Exception:");
        // random strings hold control characters: none reaches the terminal raw
        assertThat(ControlCharacters.indexOf((out + err.toString()).replace("\n", ""))).as(all + " -> " + out + err)
                .isEqualTo(-1);
        if (exit == 2) {
            assertThat(err.toString()).startsWith("registry: ");
        }
    }
}
