package dev.mailroot.server.pickup;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.mailroot.server.Home;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Pickup names up to the file system's 255 bytes are taken, though a claim adds 14 bytes to them. */
class PickupNamesTest {

    @TempDir
    Path home;

    private static final String FAST = "pickup: {settleMillis: 100, rescanSeconds: 1}\n";
    private static final String MESSAGE = "x-sender: a@example.org\r\nx-receiver: %s@localhost\r\nSubject: long name\r\n\r\nx\r\n";

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private Path drop(String name, String content) throws Exception {
        Path pickup = Files.createDirectories(home.resolve("mailroot/pickup"));
        Path staged = Files.createDirectories(home.resolve("staging")).resolve("f");
        Files.writeString(staged, content);
        return Files.move(staged, pickup.resolve(name));
    }

    @Test
    void filesWithNamesOf242To255BytesAreTakenAndTheLogAndBadmailKeepTheWholeName() throws Exception {
        String ascii = "a".repeat(246) + ".eml";                  // 250 bytes
        String accented = "é".repeat(125) + ".EML";               // 254 bytes, two per character
        String longest = "b".repeat(251) + ".eml";                 // 255 bytes
        String bad = "c".repeat(242) + ".eml";                     // 246 bytes, and empty
        assertThat(bytes(ascii)).isEqualTo(250);
        assertThat(bytes(accented)).isEqualTo(254);
        assertThat(bytes(longest)).isEqualTo(255);
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, FAST, SinkChain.EMPTY)) {
            drop(ascii, MESSAGE.formatted("ascii"));
            drop(accented, MESSAGE.formatted("accented"));
            drop(longest, MESSAGE.formatted("longest"));
            drop(bad, "");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("ascii").size() == 1
                    && server.newMail("accented").size() == 1 && server.newMail("longest").size() == 1
                    && server.badmail().size() == 2);
            for (String name : new String[]{ascii, accented, longest}) {
                assertThat(logs.containing("MR1101 picked up " + name + " ")).hasSize(1);
            }
            Path bdr = server.badmail().stream().filter(p -> p.toString().endsWith(".bdr")).findFirst().orElseThrow();
            assertThat(Files.readString(bdr)).contains("pickup file " + bad, "the file is empty");
            assertThat(logs.containing("MR1102 pickup file " + bad)).hasSize(1);
            assertThat(logs.containing("MR1103")).isEmpty();
            assertThat(logs.containing("MR1108")).hasSize(4);
            try (Stream<Path> s = Files.list(home.resolve("mailroot/pickup"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly(".claimed");
            }
        }
    }

    @Test
    void aShortenedClaimLeftByAStoppedServerIsFinishedAtTheNextStart() throws Exception {
        String name = "d".repeat(250) + ".eml";
        String claimName = ClaimName.of("0EEEEEEEEEEEE", name);
        assertThat(bytes(claimName)).isLessThanOrEqualTo(255);
        String instance = new Home(home).instanceId();
        Path claims = Files.createDirectories(home.resolve("mailroot/pickup/.claimed").resolve(instance));
        Files.writeString(claims.resolve(claimName), MESSAGE.formatted("resumed"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, FAST, SinkChain.EMPTY)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("resumed").size() == 1);
            assertThat(logs.containing("MR1101").stream().map(ILoggingEvent::getFormattedMessage))
                    .singleElement().asString().contains("picked up " + claimName.substring(14) + " ");
        }
    }

    @Test
    void aClaimNameFitsAndParsesBackWhateverTheName() {
        String id = "1M90ZXA0H0000";
        assertThat(ClaimName.of(id, "short.eml")).isEqualTo(id + ".short.eml");
        for (String name : new String[]{"x".repeat(241) + ".eml", "ü".repeat(125) + ".Eml", "日".repeat(83) + ".eml",
                "😀".repeat(62) + ".eml", "a.b.c." + "z".repeat(240) + ".EML"}) {
            String claim = ClaimName.of(id, name);
            assertThat(bytes(claim)).as(name).isLessThanOrEqualTo(255);
            ClaimName back = ClaimName.parse(claim);
            assertThat(back.id()).isEqualTo(id);
            assertThat(PickupDirectory.isPickupName(back.name())).as(back.name()).isTrue();
            assertThat(name).startsWith(back.name().substring(0, back.name().length() - 5));
            assertThat(new String(back.name().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                    .isEqualTo(back.name()); // cut between characters, never inside one
        }
    }
}
