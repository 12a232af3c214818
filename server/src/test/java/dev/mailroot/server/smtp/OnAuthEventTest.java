package dev.mailroot.server.smtp;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.mailroot.server.smtp.TlsTestHome.ALICE_PASSWORD;
import static dev.mailroot.server.smtp.TlsTestHome.BOB_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The OnAuth protocol event: a plugin's sink sees the user after a right password, and may refuse the login. */
class OnAuthEventTest {
    private static final String SINK = "test.auth.AuthSink";
    private static final String SOURCE = """
            package test.auth;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;

            @Extension
            public class AuthSink implements OnAuthSink, OnSubmissionSink {
                private static final Note<String> SEEN = Note.of("auth.seen", String.class);

                public Verdict onAuth(ProtocolSession s, String user, SinkContext c) {
                    if (user.startsWith(c.properties().getOrDefault("refuse", "-"))) {
                        return Verdict.reject(SmtpReply.parse(c.properties().get("reply")));
                    }
                    s.notes().put(SEEN, user + " session=" + s.authenticatedUser().orElse("-") + " tls=" + s.tls());
                    return Verdict.proceed();
                }

                public SinkStatus onSubmission(Submission s, SinkContext c) {
                    s.headers().add("X-Auth-Seen", s.notes().get(SEEN).orElse("none"));
                    return SinkStatus.RUN_NEXT_SINK;
                }
            }
            """;

    @TempDir
    static Path work;
    @TempDir
    Path home;
    private static Path jar;

    @BeforeAll
    static void buildPlugin() throws Exception {
        jar = PluginJarBuilder.plugin("auth-events").source(SINK, SOURCE).build(work, work.resolve("auth-events.jar"));
    }

    @Test
    void onAuthSeesTheUserAndMayRefuseTheLogin() throws Exception {
        TlsTestHome.mailboxes(home);
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(jar, home.resolve("plugins/auth-events.jar"), StandardCopyOption.REPLACE_EXISTING);
        BindingStore store = new BindingStore(home.resolve("conf/bindings.yaml"));
        store.update(r -> r.with(new Binding(Binding.newId(), "auth check", "OnAuth", SINK, true, null, 10,
                Map.of("refuse", "bob", "reply", "550 5.7.1 bob may not send through this server"))));
        store.update(r -> r.with(new Binding(Binding.newId(), "auth header", "OnSubmission", SINK, true, null, 10, Map.of())));
        try (TestServer server = TestServer.startWithPlugins(home, TlsTestHome.AUTH);
             TlsSmtpClient c = TlsSmtpClient.plain(server.port())) {
            c.send("EHLO client.test");
            c.startTls();
            c.send("EHLO client.test");
            assertThat(c.authPlain("bob", BOB_PASSWORD)).isEqualTo("550 5.7.1 bob may not send through this server");
            assertThat(c.send("MAIL FROM:<bob@example.test>")).startsWith("250"); // still anonymous: local mail only
            assertThat(c.send("RCPT TO:<x@remote.test>")).startsWith("550 5.7.1");
            c.send("RSET");
            assertThat(c.authPlain("alice@example.test", ALICE_PASSWORD)).startsWith("235 2.7.0");
            assertThat(c.sendMail("alice@example.test", List.of("bob@example.test"), "Subject: a\r\n\r\nhi\r\n")).startsWith("250 2.0.0");
            await().atMost(Duration.ofSeconds(15)).until(() -> server.newMail("bob").size() == 1);
            assertThat(Files.readString(server.newMail("bob").get(0)))
                    .contains("X-Auth-Seen: alice@example.test session=alice@example.test tls=true");
        }
    }
}
