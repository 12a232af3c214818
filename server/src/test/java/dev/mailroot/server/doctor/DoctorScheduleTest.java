package dev.mailroot.server.doctor;

import dev.mailroot.server.Home;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The server's periodic doctor: keeps the latest report, logs a problem once while it lasts. */
class DoctorScheduleTest {
    @TempDir
    Path root;

    @Test
    void periodicRunsKeepTheLatestReportAndLogAProblemOnce() throws Exception {
        Home home = new Home(root);
        home.create();
        Files.createDirectories(home.sieve());
        Files.writeString(home.sieve().resolve("bob.sieve"), "if true { stop; \n");
        Doctor doctor = new Doctor(home, new ConfigLoader().defaults(), ServerView.NONE, Clock.systemUTC());
        try (LogCapture log = new LogCapture();
             DoctorSchedule schedule = new DoctorSchedule(doctor, Duration.ofMillis(100), Duration.ZERO).start()) {
            DoctorReport first = await().atMost(Duration.ofSeconds(20)).until(() -> schedule.latest().orElse(null), r -> r != null);
            await().atMost(Duration.ofSeconds(20)).until(() -> schedule.latest().orElseThrow() != first);
            assertThat(schedule.latest().orElseThrow().failed()).isTrue();
            assertThat(log.containing("MR8012 doctor sieve: bob.sieve")).hasSize(1);
            assertThat(log.containing("MR8001 doctor server: not running")).hasSize(1);
        }
    }
}
