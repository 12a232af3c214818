package dev.mailroot.server.pickup;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.SmallDisk;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Pickup on a real full disk (a 30 MB tmpfs): it backs off instead of retrying in a loop, and goes on once there is room. */
class PickupDiskFullTest {

    @TempDir
    Path tmp;

    private static List<String> pickupNames(Path pickup) throws Exception {
        try (Stream<Path> s = Files.list(pickup)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".claimed")).sorted().toList();
        }
    }

    @Test
    void filesThatCannotBeSpooledWaitWithBackOffAndGoThroughOnceTheDiskHasRoom() throws Exception {
        Path home = tmp.resolve("home");
        try (SmallDisk disk = SmallDisk.mount(home, 30)) {
            try (LogCapture logs = new LogCapture();
                 TestServer server = TestServer.start(home, "pickup: {settleMillis: 100, rescanSeconds: 1}\n",
                         SinkChain.EMPTY)) {
                Path pickup = home.resolve("mailroot/pickup");
                Path staging = Files.createDirectories(home.resolve("staging"));
                List<String> names = List.of("one.eml", "two.eml", "three.eml");
                for (String name : names) {
                    Path f = staging.resolve(name);
                    Files.writeString(f, "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: " + name
                            + "\r\n\r\n" + "a line of the body of a pickup file\r\n".repeat(600));
                    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
                }
                disk.fill();
                for (String name : names) {
                    Files.move(staging.resolve(name), pickup.resolve(name));
                }

                // 5 s of a full disk: nothing is spooled; one file is tried after waits of 1, 2 and 4 s
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() ->
                        server.newMail("bob").isEmpty() && server.server().spool().size() == 0);
                await().atMost(Duration.ofSeconds(2)).until(() -> pickupNames(pickup).equals(List.of(
                        "one.eml", "three.eml", "two.eml")));
                assertThat(logs.containing("MR1103").stream().filter(e -> e.getFormattedMessage().contains(home.toString())))
                        .as("no error per attempt").isEmpty();
                assertThat(logs.containing("MR1105")).as("one line per back-off step").hasSizeBetween(2, 4)
                        .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("No space left on device"));
                assertThat(logs.containing("MR1105").get(0).getFormattedMessage()).contains("waits 1 s");
                assertThat(logs.containing("MR1105").get(1).getFormattedMessage()).contains("waits 2 s");

                disk.unfill();
                await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("bob").size() == 3);
                assertThat(pickupNames(pickup)).isEmpty();
                assertThat(logs.containing("MR1106")).hasSize(1);
                assertThat(logs.containing("MR1101")).hasSize(3);
            }
        }
    }
}
