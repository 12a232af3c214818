package dev.mailroot.server.folders;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.dispatch.TestSinks;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The operator's folder actions on entries the server made: list, show, resubmit (delivered), delete (never vanishing). */
class FoldersTest {

    @TempDir
    Path root;

    @Test
    void aBadmailEntryMadeByTheServerIsListedShownAndResubmittedAndThenDeliveredToTheMaildir() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        var filter = TestSinks.bound("filter", 10, (s, ctx) -> {
            if (broken.get()) {
                s.setFate(Fate.badmail("the archive is down"));
            }
            return SinkStatus.RUN_NEXT_SINK;
        });
        try (TestServer s = TestServer.start(root.resolve("home"), "pickup: {settleMillis: 0, rescanSeconds: 1}\n",
                TestSinks.chain(filter))) {
            String id;
            try (SmtpClient smtp = new SmtpClient(s.port())) {
                smtp.send("EHLO sender.example");
                String reply = smtp.sendMail("ann@example.org", List.of("alice@localhost"),
                        "From: Ann <ann@example.org>\r\nSubject: =?UTF-8?Q?caf=C3=A9?= order\r\nMessage-ID: <order@test>\r\n\r\nbody\r\n");
                id = reply.substring(reply.lastIndexOf(' ') + 1);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> s.badmail().size() == 2);
            Folders folders = new Folders(s.home(), Clock.systemUTC());

            List<Folders.Item> items = folders.list("badmail", 10);
            assertThat(items).hasSize(1);
            Folders.Item item = items.get(0);
            assertThat(item.id()).isEqualTo(id);
            assertThat(item.from()).isEqualTo("ann@example.org");
            assertThat(item.to()).containsExactly("alice@localhost");
            assertThat(item.subject()).isEqualTo("café order");
            assertThat(item.reason()).contains("the archive is down");
            assertThat(folders.find("badmail", id)).contains(item);
            assertThat(folders.show("badmail", id)).contains("x-sender: ann@example.org", "x-receiver: alice@localhost",
                    "Message-ID: <order@test>", "-- " + id + ".bdr", "Reason:", "the archive is down");

            broken.set(false); // the cause is corrected
            Path inPickup = folders.resubmit("badmail", id);
            assertThat(inPickup).hasParent(s.home().pickup()).hasFileName(id + ".eml");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.newMail("alice").size() == 1);
            String delivered = Files.readString(s.newMail("alice").get(0), StandardCharsets.UTF_8);
            assertThat(delivered).contains("Message-ID: <order@test>", "Delivered-To: alice@localhost").doesNotContain("x-sender");
            assertThat(folders.list("badmail", 10)).isEmpty();
            assertThat(Files.readString(s.home().badmail().resolve("resubmitted/" + id + ".bdr")))
                    .contains("the archive is down", "Resubmitted: ", "as pickup/" + id + ".eml");
            assertThatThrownBy(() -> folders.resubmit("badmail", id)).isInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void aDeleteFromPoisonLandsInBadmailWithTheReasonAndADeleteFromBadmailInBadmailDeleted() throws Exception {
        Path home = root.resolve("home");
        try (TestServer s = TestServer.start(home)) {
            SpoolEnvelope env = new SpoolEnvelope("hal@example.org", List.of("hank@localhost"), "h", "127.0.0.1",
                    Instant.now(), Source.SMTP, null);
            new Badmail(s.home().poison(), Clock.systemUTC(), "Mailroot poison report").write("0HPOISON1", env,
                    env.recipients(), MessageContent.of("Subject: crash\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8)), "\r\n",
                    "poison message: the server died 2 times", List.of());
            Folders folders = new Folders(s.home(), Clock.systemUTC());
            assertThat(folders.list("poison", 10)).extracting(Folders.Item::reason)
                    .containsExactly("poison message: the server died 2 times");

            Path moved = folders.delete("poison", "0HPOISON1", "checked: a test message\r\nInjected: line");
            assertThat(moved).isEqualTo(s.home().badmail().resolve("0HPOISON1.bad"));
            assertThat(folders.list("poison", 10)).isEmpty();
            assertThat(s.home().poison().resolve("0HPOISON1.bdr")).doesNotExist();
            String bdr = Files.readString(s.home().badmail().resolve("0HPOISON1.bdr"));
            assertThat(bdr).contains("Mailroot poison report", "the server died 2 times", "from poison: checked: a test message Injected: line");
            assertThat(bdr.lines()).noneMatch(l -> l.startsWith("Injected:"));
            assertThat(folders.list("badmail", 10)).extracting(Folders.Item::id).containsExactly("0HPOISON1");

            Path gone = folders.delete("badmail", "0HPOISON1", "not needed");
            assertThat(gone).isEqualTo(s.home().badmail().resolve("deleted/0HPOISON1.bad"));
            assertThat(folders.list("badmail", 10)).isEmpty();
            assertThat(Files.readString(s.home().badmail().resolve("deleted/0HPOISON1.bdr")))
                    .contains("the server died 2 times", "from poison:", "from badmail: not needed");
        }
    }

    @Test
    void hostileIdsAndUnknownFoldersAreRefusedBeforeAnyFileIsTouched() throws Exception {
        Path home = root.resolve("home");
        Files.createDirectories(home.resolve("mailroot/badmail"));
        Files.writeString(home.resolve("mailroot/secret.bad"), "x");
        Folders folders = new Folders(new dev.mailroot.server.Home(home), Clock.systemUTC());
        for (String id : List.of("../secret", "..", ".hidden", "a/b", "a\u0007b", "", "x".repeat(200))) {
            assertThatThrownBy(() -> folders.delete("badmail", id, null)).as(id).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not an entry id").hasMessageNotContaining("\u0007");
        }
        assertThatThrownBy(() -> folders.list("../mailroot", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(home.resolve("mailroot/secret.bad")).exists();
    }
}
