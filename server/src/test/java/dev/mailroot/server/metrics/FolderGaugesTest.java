package dev.mailroot.server.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FolderGaugesTest {
    @TempDir
    Path home;

    @Test
    void setAsideMessagesAndWaitingPickupFilesAreCountedAtEachRefreshNotAtEachScrape() throws Exception {
        Path badmail = Files.createDirectories(home.resolve("badmail"));
        Path pickup = Files.createDirectories(home.resolve("pickup"));
        Files.writeString(badmail.resolve("A1.bad"), "x");
        Files.writeString(badmail.resolve("A1.bdr"), "why");
        Files.writeString(badmail.resolve(".A2.bad.tmp"), "being written");
        Files.writeString(pickup.resolve("one.eml"), "x");
        Files.setLastModifiedTime(pickup.resolve("one.eml"), FileTime.from(Instant.parse("2026-12-05T02:50:00Z")));
        Files.writeString(pickup.resolve("not-yet.tmp"), "x");
        Clock clock = Clock.fixed(Instant.parse("2026-12-05T03:00:00Z"), ZoneOffset.UTC);
        try (ServerMetrics metrics = ServerMetrics.create();
             FolderGauges gauges = new FolderGauges(metrics, Map.of("badmail", badmail, "poison", home.resolve("poison")),
                     pickup, home, clock)) {
            gauges.refresh();
            String text = metrics.scrape();
            assertThat(text).contains("mailroot_folder_files{folder=\"badmail\"} 1.0", "mailroot_folder_files{folder=\"poison\"} 0.0",
                    "mailroot_pickup_pending 1.0", "mailroot_pickup_oldest_age_seconds 600.0");
            assertThat(metrics.registry().get("mailroot.disk.usable").gauge().value()).isGreaterThan(0);

            Files.writeString(badmail.resolve("A3.bad"), "x");
            assertThat(metrics.scrape()).contains("mailroot_folder_files{folder=\"badmail\"} 1.0"); // cached until the next count
            gauges.refresh();
            assertThat(metrics.scrape()).contains("mailroot_folder_files{folder=\"badmail\"} 2.0");
        }
    }
}
