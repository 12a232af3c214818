package dev.mailroot.server.pickup;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A backlog larger than one scan's batch is drained over several scans, oldest first. */
class PickupBacklogTest {

    @TempDir
    Path root;

    @Test
    void aBacklogLargerThanTheBatchIsDrainedOldestFirstInSeveralScans() throws Exception {
        Path pickup = Files.createDirectories(root.resolve("pickup"));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new java.util.Random(7));
        Instant base = Instant.now().minusSeconds(3600);
        for (int i : order) {
            Path f = pickup.resolve("file-" + (char) ('z' - i) + ".eml"); // names sort opposite to age
            Files.writeString(f, "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: " + i + "\r\n\r\nb\r\n");
            Files.setLastModifiedTime(f, FileTime.from(base.plusSeconds(i)));
        }
        List<String> subjects = new CopyOnWriteArrayList<>();
        try (Spool spool = Spool.open(root.resolve("queue"), Spool.Options.defaults());
             PickupDirectory dir = new PickupDirectory(pickup, "test",
                     new PickupDirectory.Settings(Duration.ZERO, Duration.ofSeconds(1), 1, 4, true), spool,
                     new MessageIds(Clock.systemUTC()), new LocalRecipients(List.of("localhost"), root.resolve("boxes"), true),
                     new Badmail(root.resolve("badmail"), Clock.systemUTC()), 1 << 20, Clock.systemUTC(),
                     (SpoolEntry e) -> subjects.add(subject(spool, e)))) {
            dir.start(Set.of());
            await().atMost(Duration.ofSeconds(20)).until(() -> subjects.size() == 25);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add(String.valueOf(i));
        }
        assertThat(subjects).containsExactlyElementsOf(expected);
    }

    private static String subject(Spool spool, SpoolEntry e) {
        try {
            String text = new String(dev.mailroot.server.message.MessageContent.readAll(spool.content(e)));
            return text.substring(text.indexOf("Subject: ") + 9, text.indexOf("\r\n", text.indexOf("Subject: ")));
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
