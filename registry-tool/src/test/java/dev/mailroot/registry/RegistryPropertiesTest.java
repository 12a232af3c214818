package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Events;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random arguments: exit 0, 1 or 2, at most one line on stderr, never a stack trace, no raw
 * control character.
 *
 * <p>Seeded: the seed is printed and named in every failure; {@code -Dmailroot.seed=N} replays the
 * same argument lists.
 */
class RegistryPropertiesTest {

    private static final long SEED = Long.getLong("mailroot.seed", new Random().nextLong());
    private static final int RUNS = 400;
    private static final List<String> WORDS = List.of("enum", "/enum", "add", "remove", "enable", "disable", "setprop",
            "delprop", "reregister", "sinks", "test", "verify", "--json", "--help", "--verbose", "--force", "--disabled",
            "--priority", "40000", "-1", "7", "--id", "{00000000-0000-0000-0000-000000000001}", "{bad", "--prop", "k=v",
            "timeoutMs=x", "onError=badmail", "--mail-from", "a@b", "--rcpt", "x@y", "--ehlo", "--source", "pickup",
            "fax", "OnSubmission", "OnArrival", "OnFoo", "one", "two", "One", "source", "sink", "Rule", "Priority",
            "RCPT TO=*", "RCPT TO=;;", "a.Sink", "", " ", "--", "-x", "--unknown",
            "OnConnect", "OnRcptTo", "OnEhlo", "SMTP Protocol OnInboundCommand", "EHLO", "AUTH", "mail from=*", "SOURCE=smtp",
            "onError=tempfail", "--client", "192.0.2.1", "::1", "--from", "--to", "--helo", "sink");
    private static Path home;

    @BeforeAll
    static void home() throws Exception {
        System.out.println("RegistryPropertiesTest seed " + SEED + " (replay with -Dmailroot.seed=" + SEED + ")");
        home = Files.createTempDirectory("mailroot-registry-props");
        Files.createDirectories(home.resolve("plugins"));
        new BindingStore(home.resolve("conf/bindings.yaml")).write(new BindingRegistry(List.of(
                new Binding("{00000000-0000-0000-0000-000000000001}", "one", Events.ON_SUBMISSION, "a.Sink", true,
                        "RCPT TO=*", 5, Map.of("k", "v")),
                new Binding("{00000000-0000-0000-0000-000000000002}", "two", Events.ON_SUBMISSION, "a.Sink", false,
                        null, 6, Map.of())), Set.of()));
    }

    @Test
    void anyArgumentsGiveAnExitCodeAndAtMostOneLine() {
        Random random = new Random(SEED);
        for (int i = 1; i <= RUNS; i++) {
            List<String> args = new ArrayList<>();
            for (int n = random.nextInt(9); n > 0; n--) {
                args.add(random.nextInt(4) < 3 ? WORDS.get(random.nextInt(WORDS.size())) : anyString(random));
            }
            run(args, "seed " + SEED + ", run " + i + ": ");
        }
    }

    /** Up to 12 characters, each from anywhere in the Basic Multilingual Plane (surrogates too), or ASCII. */
    private static String anyString(Random random) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(13); n > 0; n--) {
            s.append((char) (random.nextBoolean() ? random.nextInt(0x10000) : random.nextInt(0x80)));
        }
        return s.toString();
    }

    private static void run(List<String> args, String what) {
        List<String> all = new ArrayList<>(args);
        all.add("--home");
        all.add(home.toString());
        what = what + all;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Registry.execute(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(what).isIn(0, 1, 2);
        assertThat(err.toString().strip().lines().count()).as(what + " -> " + err).isLessThanOrEqualTo(1);
        assertThat(out + err.toString()).as(what).doesNotContain("\tat ", "Exception in thread");
        assertThat(err.toString()).as(what).doesNotContain("Exception:");
        // random strings hold control characters: none reaches the terminal raw
        assertThat(ControlCharacters.indexOf((out + err.toString()).replace("\n", ""))).as(what + " -> " + out + err)
                .isEqualTo(-1);
        if (exit == 2) {
            assertThat(err.toString()).as(what).startsWith("registry: ");
        }
    }
}
