package dev.mailroot.server.spool;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmallDisk;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The server on a real small disk (a 30 MB tmpfs, less than one 32 MB journal segment). */
class SmallDiskTest {

    @TempDir
    Path tmp;

    @Test
    void theServerStartsAndDeliversOnA30MbDiskWithoutPreallocatingASegment() throws Exception {
        Path home = tmp.resolve("home");
        try (SmallDisk disk = SmallDisk.mount(home, 30);
             LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "", SinkChain.EMPTY);
             SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO c");
            for (int i = 0; i < 20; i++) {
                assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), "Subject: " + i + "\r\n\r\nsmall disk\r\n"))
                        .startsWith("250 2.0.0");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("bob").size() == 20);
            // the preparer decided: no room for a 32 MB segment with a margin after it
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR1019").isEmpty());
            Path queue = home.resolve("mailroot/queue");
            assertThat(queue.resolve("next-segment.pre.tmp")).doesNotExist();
            assertThat(queue.resolve("next-segment.pre")).doesNotExist();
            assertThat(disk.usable()).isGreaterThan(25L << 20);
            assertThat(logs.containing("MR1014")).isEmpty();
        }
    }

    @Test
    void aPreallocationThatRunsOutOfSpaceLeavesNoPartialSegmentAndAppendsGoOn() throws Exception {
        Path queue = tmp.resolve("queue");
        Journal.Replay none = new Journal.Replay() {
            @Override
            public void record(Journal.Position position, byte type, byte[] payload) {
            }

            @Override
            public void corrupt(long segment, long offset, String why) {
            }
        };
        try (SmallDisk disk = SmallDisk.mount(queue, 30); LogCapture logs = new LogCapture()) {
            // the space check is told there is plenty, so the 32 MB segment really runs out of the 30 MB
            try (Journal journal = Journal.open(queue, 32L << 20, none, seq -> { }, () -> Long.MAX_VALUE)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !logs.containing("MR1014").isEmpty());
                assertThat(queue.resolve("next-segment.pre.tmp")).doesNotExist();
                assertThat(disk.usable()).isGreaterThan(25L << 20);
                journal.append(Records.DONE, "after the failed preallocation".getBytes(), p -> { }).get();
            }
        }
    }
}
