package dev.mailroot.server.pickup;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Any bytes dropped into a running pickup folder end spooled or in badmail with a reason, and the
 * pickup goes on with the next file.
 *
 * <p>Jazzer fuzz tests: {@code mvn verify} replays the files in {@code PickupFuzzTestInputs/<method>/}
 * (each is a pickup file as dropped); {@code bench/fuzz.sh} fuzzes them for longer. The whole pickup
 * takes tens of milliseconds a file, so reading a file as a message, where nearly all the decisions
 * are, has a target of its own that runs thousands of files a second.
 */
class PickupFuzzTest {

    private static Path root;
    private static Spool spool;
    private static PickupDirectory pickup;
    private static final AtomicInteger spooled = new AtomicInteger();
    private static final AtomicInteger n = new AtomicInteger();
    private static final Set<Path> reasonsChecked = new HashSet<>();

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("mailroot-pickup-fuzz");
        spool = Spool.open(root.resolve("queue"), Spool.Options.defaults());
        pickup = new PickupDirectory(Files.createDirectories(root.resolve("pickup")), "test",
                new PickupDirectory.Settings(Duration.ZERO, Duration.ofSeconds(1), 2, 100, true), spool,
                new MessageIds(Clock.systemUTC()), new LocalRecipients(List.of("localhost"), root.resolve("boxes"), true),
                new Badmail(root.resolve("badmail"), Clock.systemUTC()), 4096, Clock.systemUTC(),
                (SpoolEntry e) -> {
                    spooled.incrementAndGet();
                    spool.done(e, "test");
                });
        pickup.start(Set.of());
    }

    @AfterAll
    static void stop() throws Exception {
        pickup.close();
        spool.close();
    }

    @DictionaryEntries({"x-sender: ", "x-receiver: ", "From: ", "Sender: ", "To: ", "Cc: ", "Bcc: ", "Subject: ",
            "bob@localhost", "a@example.org", "x@elsewhere.example", "<", ">", ",", ":;", "\"", "(", ")"})
    @FuzzTest
    void anyFileEndsSpooledOrInBadmailWithAReason(byte[] content) throws Exception {
        int spooledBefore = spooled.get();
        long badBefore = badmail(".bad").size();
        Path staging = Files.createDirectories(root.resolve("staging"));
        String name = "f" + n.incrementAndGet() + ".eml";
        Files.write(staging.resolve(name), content);
        Files.move(staging.resolve(name), root.resolve("pickup").resolve(name));
        // the file has left pickup (and its claim), and was spooled or went to badmail (or both: split recipients)
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10))
                .until(() -> pickupIsEmpty() && spooled.get() - spooledBefore + badmail(".bad").size() - badBefore > 0);
        assertThat(badmail(".bad")).hasSameSizeAs(badmail(".bdr"));
        for (Path bdr : badmail(".bdr")) {
            if (reasonsChecked.add(bdr)) {
                assertThat(Files.readString(bdr)).as(bdr.toString()).contains("Reason:");
            }
        }
    }

    @DictionaryEntries({"x-sender: ", "x-receiver: ", "From: ", "Sender: ", "To: ", "Cc: ", "Bcc: ", "Subject: ",
            "bob@localhost", "a@example.org", "x@elsewhere.example", "<", ">", ",", ":;", "\"", "(", ")", "=?utf-8?q?"})
    @FuzzTest
    void anyFileIsReadAsAMessageWithRecipientsOrRefusedWithAReason(byte[] content) throws Exception {
        Path file = Files.write(root.resolve("read.eml"), content);
        PickupMessage message;
        try (PickupFile opened = PickupFile.open(file)) {
            try {
                message = PickupMessage.read(opened, 4096);
            } catch (BadPickupFile e) {
                assertThat(e.getMessage()).isNotBlank();
                return;
            }
            check(message);
        }
    }

    private void check(PickupMessage message) throws Exception {
        assertThat(message.sender()).isNotNull();
        assertThat(message.recipients()).isNotEmpty();
        LocalRecipients local = new LocalRecipients(List.of("localhost"), root.resolve("boxes"), true);
        for (String r : message.recipients()) {
            assertThat(local.check(r).kind()).as(r).isNotNull();
        }
        assertThat(MessageContent.readAll(message.content())).hasSize((int) message.content().size());
    }

    private static boolean pickupIsEmpty() {
        try (Stream<Path> s = Files.walk(root.resolve("pickup"))) {
            return s.noneMatch(Files::isRegularFile);
        } catch (IOException | UncheckedIOException e) {
            return false; // a file moved while we looked: look again
        }
    }

    private static List<Path> badmail(String suffix) throws IOException {
        Path dir = root.resolve("badmail");
        if (!Files.isDirectory(dir)) {
            return List.of(); // nothing has gone to badmail yet
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).toList();
        }
    }
}
