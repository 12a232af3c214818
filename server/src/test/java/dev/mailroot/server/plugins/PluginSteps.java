package dev.mailroot.server.plugins;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the plugin tests do as an administrator and a mail client would: bind, drop jars in, send, read mailboxes. */
final class PluginSteps {
    private PluginSteps() {
    }

    static void bind(Path home, String name, String sinkClass, String rule, int priority, Map<String, String> props)
            throws Exception {
        new BindingStore(home.resolve("conf/bindings.yaml")).update(r -> r.with(new Binding(Binding.newId(), name,
                Events.ON_SUBMISSION, sinkClass, true, rule, priority, props)));
    }

    /** Copies {@code jar} into {@code pluginsDir} as {@code name} the way an administrator should: a hidden name, then a rename. */
    static void dropIn(Path jar, Path pluginsDir, String name) throws IOException {
        Files.createDirectories(pluginsDir);
        Path tmp = pluginsDir.resolve("." + name + ".copying");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, pluginsDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Sends one message over SMTP; returns the message id from the 250 reply. */
    static String send(TestServer server, String rcpt) throws Exception {
        try (SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO plugin.test");
            String reply = smtp.sendMail("a@example.org", List.of(rcpt), "Subject: to " + rcpt + "\r\n\r\nbody\r\n");
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    /** Waits for the {@code count}th copy in {@code mailbox} and returns it. */
    static String delivered(TestServer server, String mailbox, int count) throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> server.newMail(mailbox).size() >= count);
        return Files.readString(server.newMail(mailbox).get(count - 1));
    }
}
