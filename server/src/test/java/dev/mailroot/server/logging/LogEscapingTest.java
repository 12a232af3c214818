package dev.mailroot.server.logging;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.ChildServer;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * User-supplied text with control characters (an SMTP client's EHLO and addresses, a pickup file's
 * name, a binding's name) forges no log line and sends no raw escape sequence to whoever reads the
 * log, in the real process's log file and on its console.
 */
class LogEscapingTest {

    private static final String FORGED = "2026-12-04 00:00:00.000 INFO";

    @TempDir
    Path home;

    @Test
    void controlCharactersInUserSuppliedTextAreEscapedInTheLogFileAndOnTheConsole() throws Exception {
        int port = ChildServer.freePort();
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + "}\nadmin: {port: 0}\n"
                + "pickup: {settleMillis: 0}\n");
        new BindingStore(home.resolve("conf/bindings.yaml")).write(dev.mailroot.bindings.BindingRegistry.empty()
                .with(new Binding(Binding.newId(), "evil\n" + FORGED + " forged binding \u001b[2J", Events.ON_SUBMISSION,
                        "com.example.Missing", true, null, 100, Map.of())));
        try (ChildServer child = ChildServer.start(home, "--home", home.toString())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> child.stdout().contains("mailroot: ready: "));
            try (SmtpClient smtp = new SmtpClient(port)) {
                assertThat(smtp.send("EHLO evil\u001b[31mhost")).startsWith("250");
                assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<\"a\u001b[31mb\"@example.com>")).startsWith("550");
                assertThat(smtp.send("RSET")).startsWith("250");
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: smtp\r\n\r\nx\r\n"))
                        .startsWith("250");
            }
            Path tmp = home.resolve("pickup.tmp");
            Files.writeString(tmp, "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: pickup\r\n\r\nx\r\n");
            Files.move(tmp, home.resolve("mailroot/pickup/evil\n" + FORGED + " forged\u001b[31m.eml"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestServer.delivered(home.resolve("mailroot/mailboxes")).size() == 2);
            child.terminate();
            assertThat(child.waitForExit(30)).isZero();

            for (Path log : List.of(home.resolve("logs/mailroot.log"), home.resolve("child.out"))) {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(text.lines().filter(l -> l.indexOf('\u001b') >= 0)).as("lines with a raw ESC in " + log).isEmpty();
                assertThat(text.lines().filter(l -> l.startsWith(FORGED))).as(log.toString()).isEmpty();
                assertThat(text).as(log.toString()).contains(
                        "MR1002", "a\\x1b[31mb",                                    // the refused recipient
                        "helo=evil\\x1b[31mhost",                                  // MR1001's EHLO
                        "MR1101 picked up evil\\n" + FORGED + " forged\\x1b[31m.eml", // the pickup file's name
                        "evil\\n" + FORGED + " forged binding \\x1b[2J");           // MR2005's binding name
            }
        }
    }
}
