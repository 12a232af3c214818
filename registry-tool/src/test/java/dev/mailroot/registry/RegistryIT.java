package dev.mailroot.registry;

import dev.mailroot.server.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/registry as administrators and scripts run it: exit codes, one-line errors, which home it edits. */
class RegistryIT {

    @TempDir
    Path home;

    private Launcher.Run registry(String... args) throws Exception {
        return Launcher.run("registry", home, args);
    }

    private static Launcher.Run registryIn(Path dir, Map<String, String> env, String... args) throws Exception {
        return Launcher.run("registry", dir, env, args);
    }

    /** The files under {@code dir}, but the launcher's own output files. */
    private static Stream<Path> filesIn(Path dir) throws Exception {
        return Files.walk(dir).filter(Files::isRegularFile)
                .filter(p -> !p.getFileName().toString().startsWith("registry."));
    }

    @Test
    void versionIsTheBuildsVersionAsForBinMailroot() throws Exception {
        Launcher.Run v = registry("--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).isEqualTo("Mailroot registry " + System.getProperty("mailroot.version") + "\n");
    }

    @Test
    void exitCodesAreZeroOneAndTwoWithOneLineErrors() throws Exception {
        Launcher.Run add = registry("add", "OnSubmission", "x", "com.example.Sink", "--force", "--home", home.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).contains("** SUCCESS **");

        Launcher.Run verify = registry("verify", "--home", home.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("sink class not provided by any plugin");

        Launcher.Run bad = registry("add", "OnSubmission", "y", "com.example.Sink", "RCPT TO=;", "--force", "--home", home.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("registry: rule").doesNotContain("\n", "Exception");

        Launcher.Run usage = registry("setprop", "x");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err().strip()).doesNotContain("\n").contains("Missing required parameter");

        // the current folder is the default home, as for bin/mailroot, once it is a home
        Launcher.Run here = registry("/enum");
        assertThat(here.exit()).isZero();
        assertThat(here.out()).contains("Name: x");
    }

    @Test
    void anIisInboundCommandBindingIsMappedAndTestShowsWhenItFires(@TempDir Path work) throws Exception {
        Path jar = dev.mailroot.server.PluginJarBuilder.plugin("gate").source(RegistryProtocolEventsTest.RCPT,
                RegistryProtocolEventsTest.RCPT_GATE).build(work, home.resolve("plugins/gate-1.0.0.jar"));
        assertThat(jar).exists();
        String id = "{EEEEEEEE-0000-0000-0000-000000000001}";
        Launcher.Run add = registry("add", "SMTP Protocol OnInboundCommand", "org recipients", RegistryProtocolEventsTest.RCPT,
                "rcpt to=*@example.org", "--prop", "onError=tempfail", "--id", id, "--home", home.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).startsWith("Mapped: SMTP Protocol OnInboundCommand with the rule 'rcpt to=*@example.org' is bound "
                + "to OnRcptTo with the rule 'rcpt to=*@example.org'\n** SUCCESS **\n");

        Launcher.Run test = registry("test", "--from", "alice@partner.example", "--to", "bob@example.org", "--to",
                "carol@localhost", "--client", "192.0.2.7", "--verbose", "--home", home.toString());
        assertThat(test.exit()).as(test.err()).isZero();
        assertThat(test.err()).isEmpty();
        assertThat(test.out()).isEqualTo("""
                == OnRcptTo (RCPT TO:<bob@example.org>) ==
                24575  'org recipients' %1$s  rcpt to=*@example.org  (onError: tempfail, timeoutMs: 5000)
                == OnRcptTo (RCPT TO:<carol@localhost>) ==
                  none fires
                  -    'org recipients' %1$s  not fired: its rule did not match
                         rcpt to=*@example.org: no recipient matched (carol@localhost)
                """.formatted(id));

        Launcher.Run listed = registry("enum", "--home", home.toString());
        assertThat(listed.out()).contains("    Name: OnRcptTo (IIS: SMTP Protocol OnInboundCommand, rule RCPT; "
                + "Exchange: OnRcptCommand)\n    Bindings: 1, in run order\n", "Event: OnRcptTo\n", "Status: ok\n",
                "    Name: OnSubmission (IIS: SMTP OnTransportSubmission/OnArrival)\n    Bindings: 0, in run order\n");

        Launcher.Run refused = registry("add", "OnInboundCommand", "vrfy", RegistryProtocolEventsTest.RCPT, "VRFY",
                "--home", home.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("registry: the command 'VRFY' in OnInboundCommand rule 'VRFY' has no Mailroot "
                + "event (events exist for EHLO/HELO, AUTH, MAIL, RCPT and DATA)\n");
        Launcher.Run auth = registry("add", "OnInboundCommand", "auth", RegistryProtocolEventsTest.RCPT, "AUTH",
                "--home", home.toString());
        assertThat(auth.exit()).isEqualTo(2); // AUTH maps to OnAuth, which this class does not serve
        assertThat(auth.err()).startsWith("registry: the sink class cannot serve OnAuth: ");
    }

    @Test
    void controlCharactersAreRefusedOnTheWayInAndEscapedOnTheWayOut() throws Exception {
        Launcher.Run add = registry("add", "OnSubmission", "evil\u001b]0;owned\u0007", "com.example.Sink", "--force",
                "--home", home.toString());
        assertThat(add.exit()).isEqualTo(2);
        assertThat(add.err()).isEqualTo("registry: the name 'evil\\x1b]0;owned\\x07' contains a control character "
                + "(\\x1b at position 5); names, rules and properties cannot hold them\n");
        assertThat(home.resolve("conf/bindings.yaml")).doesNotExist();
        // a hand-edited file (or an older registry) may hold one: the listing shows it escaped
        new dev.mailroot.bindings.BindingStore(home.resolve("conf/bindings.yaml")).write(
                dev.mailroot.bindings.BindingRegistry.empty().with(new dev.mailroot.bindings.Binding(
                        dev.mailroot.bindings.Binding.newId(), "evil\n2026-12-04 00:00:00.000 INFO forged\u001b[2J",
                        "OnSubmission", "com.example.Sink", true, null, 10, Map.of())));
        Launcher.Run listed = registry("enum", "--home", home.toString());
        assertThat(listed.exit()).isZero();
        assertThat(listed.out()).contains("Name: evil\\n2026-12-04 00:00:00.000 INFO forged\\x1b[2J\n")
                .doesNotContain("\u001b");
        assertThat(listed.out().lines().filter(l -> l.startsWith("2026-12-04"))).isEmpty();
    }

    @Test
    void aBindingsVerbInAFolderThatIsNotAHomeSaysSoAndCreatesNothing(@TempDir Path somewhere) throws Exception {
        for (String[] args : new String[][]{{"add", "OnSubmission", "x", "com.example.Sink", "--force"},
                {"add", "OnSubmission", "x", "com.example.Sink"}, {"enum"}, {"verify"}, {"remove", "x"},
                {"setprop", "x", "sink", "a", "b"}, {"reregister"}, {"test", "--mail-from", "a@b", "--rcpt", "c@d"}}) {
            Launcher.Run r = registryIn(somewhere, Map.of(), args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).isEqualTo("registry: " + somewhere.toRealPath()
                    + " is not a Mailroot home (no conf/ or mailroot/ in it); name the home with --home DIR or MAILROOT_HOME=DIR\n");
            assertThat(r.out()).isEmpty();
        }
        assertThat(filesIn(somewhere)).isEmpty();
        assertThat(somewhere.resolve("conf")).doesNotExist();
    }

    @Test
    void mailrootHomeOrHomeEditsThatHomeFromAnyFolder(@TempDir Path elsewhere) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Launcher.Run add = registryIn(elsewhere, Map.of("MAILROOT_HOME", home.toString()),
                "add", "OnSubmission", "from env", "com.example.Sink", "--force");
        assertThat(add.exit()).as(add.err()).isZero();
        Launcher.Run add2 = registryIn(elsewhere, Map.of(), "add", "OnSubmission", "from option", "com.example.Sink", "--force",
                "--home", home.toString());
        assertThat(add2.exit()).as(add2.err()).isZero();
        assertThat(Files.readString(home.resolve("conf/bindings.yaml"))).contains("from env", "from option");
        assertThat(filesIn(elsewhere)).isEmpty();
        Launcher.Run listed = registryIn(elsewhere, Map.of("MAILROOT_HOME", home.toString()), "enum");
        assertThat(listed.out()).contains("Name: from env", "Name: from option");
    }

    @Test
    void anExplicitlyNamedNewHomeIsPrepared(@TempDir Path elsewhere) throws Exception {
        Path fresh = elsewhere.resolve("new-home");
        Launcher.Run add = registryIn(elsewhere, Map.of(), "add", "OnSubmission", "first", "com.example.Sink", "--force",
                "--home", fresh.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(fresh.resolve("conf/bindings.yaml")).content().contains("first");
    }
}
