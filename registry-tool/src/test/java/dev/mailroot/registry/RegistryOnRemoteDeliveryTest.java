package dev.mailroot.registry;

import dev.mailroot.server.PluginJarBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** OnRemoteDelivery as the registry shows it: accepted by add, listed by enum after OnSubmission, explained per domain by test. */
class RegistryOnRemoteDeliveryTest {
    static final String SIGNER = "test.out.Signer";
    static final String SIGNER_SOURCE = """
            package test.out;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            @Extension
            public class Signer implements OnRemoteDeliverySink {
                @Override
                public Verdict onRemoteDelivery(RemoteDelivery d, SinkContext c) {
                    return Verdict.proceed();
                }
            }
            """;

    @TempDir
    static Path work;
    static Path jar;
    @TempDir
    Path home;

    @BeforeAll
    static void buildPlugin() throws Exception {
        jar = PluginJarBuilder.plugin("signer").version("1.0.0").source(SIGNER, SIGNER_SOURCE).build(work, work.resolve("signer.jar"));
    }

    @Test
    void onRemoteDeliveryIsBoundListedAfterOnSubmissionAndExplainedPerDestination() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(jar, home.resolve("plugins/signer-1.0.0.jar"));
        assertThat(RegistryRun.in(home, "sinks").out()).contains("Sink: " + SIGNER + " [OnRemoteDelivery]");
        RegistryRun added = RegistryRun.in(home, "add", "OnRemoteDelivery", "dkim", SIGNER, "MAIL FROM=*@example.com",
                "--prop", "onError=tempfail", "--id", id(1));
        assertThat(added.exit()).as(added.err()).isZero();
        RegistryRun wrong = RegistryRun.in(home, "add", "OnRemoteDelivery", "bad", SIGNER, "--prop", "onError=badmail", "--id", id(2));
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.err()).contains("onError must be 'continue' or 'tempfail'");
        RegistryRun onHelo = RegistryRun.in(home, "add", "OnHelo", "not a helo sink", SIGNER, "--id", id(3));
        assertThat(onHelo.exit()).isNotZero();

        String listed = RegistryRun.in(home, "enum").out();
        assertThat(listed).contains("Name: OnRemoteDelivery (Mailroot transport event: before each outbound attempt, per destination)");
        assertThat(listed.indexOf("Name: OnSubmission")).isLessThan(listed.indexOf("Name: OnRemoteDelivery"));

        RegistryRun t = RegistryRun.in(home, "test", "--from", "alice@example.com", "--to", "bob@example.org",
                "--to", "carol@example.net", "--to", "dan@example.org");
        assertThat(t.exit()).as(t.err()).isZero();
        assertThat(t.out().lines().toList()).containsSubsequence(
                "== OnRemoteDelivery (each attempt to example.org, if it is not a local domain: bob@example.org, dan@example.org) ==",
                "24575  'dkim' " + id(1) + "  MAIL FROM=*@example.com  (onError: tempfail, timeoutMs: 5000)",
                "== OnRemoteDelivery (each attempt to example.net, if it is not a local domain: carol@example.net) ==");
        assertThat(RegistryRun.in(home, "test", "--from", "x@other.test", "--to", "b@example.org").out())
                .contains("  none fires");
    }

    private static String id(int n) {
        return String.format("{44444444-0000-0000-0000-%012d}", n);
    }
}
