package dev.mailroot.server.pickup;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** MR8017: another program changing a pickup file while the server reads it is logged, and what was read is kept. */
class PickupChangedTest {
    @TempDir
    Path home;

    @Test
    void aFileAppendedToWhileItIsReadIsLoggedAndTakenAsItWasOpened() throws Exception {
        Path pickup = Files.createDirectories(home.resolve("pickup"));
        List<SpoolEntry> spooled = new CopyOnWriteArrayList<>();
        Clock clock = Clock.systemUTC();
        String message = "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: s\r\n\r\nbody\r\n";
        try (Spool spool = Spool.open(home.resolve("queue"), Spool.Options.defaults()); LogCapture logs = new LogCapture()) {
            PickupDirectory dir = new PickupDirectory(pickup, "test", new PickupDirectory.Settings(Duration.ZERO,
                    Duration.ofSeconds(1), 1, 100, false), spool, new MessageIds(clock),
                    new LocalRecipients(List.of("localhost"), Files.createDirectories(home.resolve("mailboxes")), true),
                    new Badmail(home.resolve("badmail"), clock), 1 << 20, clock, spooled::add);
            dir.whileRead(p -> {
                try { // a scanner appends its verdict to the file the server has open
                    Files.writeString(p, "X-Scanned: yes\r\n", StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Path file = pickup.resolve("scanned.eml");
            Files.writeString(file, message);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
            try {
                dir.start(Set.of());
                await().atMost(Duration.ofSeconds(10)).until(() -> spooled.size() == 1);
                assertThat(logs.containing("MR8017")).singleElement().asString()
                        .contains("pickup file scanned.eml changed while it was read: " + message.length() + " bytes when opened, "
                                + (message.length() + 16) + " now");
                String stored;
                try (var in = spool.content(spooled.get(0)).open()) {
                    stored = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                }
                assertThat(stored).endsWith("\r\n\r\nbody\r\n").doesNotContain("X-Scanned");
            } finally {
                dir.close();
            }
        }
    }
}
