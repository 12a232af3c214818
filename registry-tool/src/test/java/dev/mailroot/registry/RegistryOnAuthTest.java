package dev.mailroot.registry;

import dev.mailroot.server.PluginJarBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** OnAuth as the registry shows it: accepted by add, listed by enum between OnHelo and OnMailFrom, explained by test. */
class RegistryOnAuthTest {
    static final String AUTH = "test.auth.AuthAudit";
    static final String AUTH_AUDIT = """
            package test.auth;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            @Extension
            public class AuthAudit implements OnAuthSink, OnHeloSink {
                @Override
                public Verdict onAuth(ProtocolSession s, String user, SinkContext c) {
                    return Verdict.proceed();
                }

                @Override
                public Verdict onHelo(ProtocolSession s, String name, boolean ehlo, SinkContext c) {
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
        jar = PluginJarBuilder.plugin("audit").version("1.0.0").source(AUTH, AUTH_AUDIT).build(work, work.resolve("audit.jar"));
    }

    @Test
    void onAuthIsBoundListedInFiringOrderAndExplainedWhenTheClientAuthenticates() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(jar, home.resolve("plugins/audit-1.0.0.jar"));
        assertThat(RegistryRun.in(home, "sinks").out()).contains("Sink: " + AUTH + " [OnHelo, OnAuth]");
        assertThat(RegistryRun.in(home, "add", "OnAuthCommand", "auth audit", AUTH, "--id", id(1)).exit()).isZero();
        assertThat(RegistryRun.in(home, "add", "OnHelo", "helo audit", AUTH, "--id", id(2)).exit()).isZero();

        String listed = RegistryRun.in(home, "enum").out();
        assertThat(listed).contains("Name: OnAuth (IIS: SMTP Protocol OnInboundCommand, rule AUTH; Exchange: OnAuthCommand");
        assertThat(listed.indexOf("Name: OnHelo")).isLessThan(listed.indexOf("Name: OnAuth"));

        RegistryRun authenticated = RegistryRun.in(home, "test", "--from", "alice@example.com", "--to", "bob@example.org",
                "--auth-user", "alice@example.com");
        assertThat(authenticated.exit()).as(authenticated.err()).isZero();
        assertThat(authenticated.out().lines().toList()).containsSubsequence(
                "== OnHelo (HELO/EHLO (no name given)) ==",
                "== OnAuth (AUTH as alice@example.com) ==");
        assertThat(RegistryRun.in(home, "test", "--from", "a@example.com", "--to", "b@example.org").out()).doesNotContain("OnAuth");
    }

    private static String id(int n) {
        return String.format("{33333333-0000-0000-0000-%012d}", n);
    }
}
