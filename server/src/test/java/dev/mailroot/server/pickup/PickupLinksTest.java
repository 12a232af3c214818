package dev.mailroot.server.pickup;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.dispatch.SinkChain;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Symbolic links in the pickup folder never make the server read their target: a link dropped in
 * pickup, a link left among the claims, a file swapped for a link between the scan and the claim,
 * and between the check and the open.
 */
class PickupLinksTest {

    @TempDir
    Path tmp;

    private static final String FAST = "pickup: {settleMillis: 100, rescanSeconds: 1}\n";

    private final String secretText = "TOP-SECRET-" + UUID.randomUUID();

    /** A file outside the home that the server could read, and that would even pass for a pickup message. */
    private Path secret() throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: secret\r\n\r\n"
                + secretText + "\r\n");
        return secret;
    }

    /** No regular file under {@code root} (links are not followed) holds the secret. */
    private void secretIsNowhereUnder(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as(p.toString())
                        .doesNotContain(secretText);
            }
        }
    }

    private static Path dropGood(Path pickup, String box) throws IOException {
        Path staged = pickup.resolveSibling("staged-" + box);
        Files.writeString(staged, "x-sender: a@example.org\r\nx-receiver: " + box + "@localhost\r\nSubject: good\r\n\r\nx\r\n");
        return Files.move(staged, pickup.resolve(box + ".eml"));
    }

    private static List<Path> bdrs(Path badmail) throws IOException {
        if (!Files.isDirectory(badmail)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(badmail)) {
            return s.filter(p -> p.toString().endsWith(".bdr")).toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aLinkToASecretDroppedInPickupIsLeftAloneAndNeverRead() throws Exception {
        Path home = tmp.resolve("home");
        Path pickup = Files.createDirectories(home.resolve("mailroot/pickup"));
        Path link = Files.createSymbolicLink(pickup.resolve("link.eml"), secret());
        try (TestServer server = TestServer.start(home, FAST, SinkChain.EMPTY)) {
            dropGood(pickup, "marker");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("marker").size() == 1);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(Files.isSymbolicLink(link)).as("a link in pickup is not taken (docs/pickup.md)").isTrue();
            secretIsNowhereUnder(home);
        }
    }

    @Test
    void aLinkAmongTheClaimsAtStartGoesToBadmailAsALinkUnread() throws Exception {
        Path home = tmp.resolve("home");
        String instance = new dev.mailroot.server.Home(home).instanceId();
        Path claims = Files.createDirectories(home.resolve("mailroot/pickup/.claimed").resolve(instance));
        Files.createSymbolicLink(claims.resolve("0AAAAAAAAAAAA.link.eml"), secret());
        // and one in the old layout, directly in .claimed/
        Files.createSymbolicLink(claims.getParent().resolve("0BBBBBBBBBBBB.old.eml"), secret());
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.start(home, FAST, SinkChain.EMPTY)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> bdrs(home.resolve("mailroot/badmail")).size() == 2);
            for (Path bdr : bdrs(home.resolve("mailroot/badmail"))) {
                assertThat(read(bdr)).contains("not a regular file: a symbolic link (to " + tmp.resolve("secret.txt"),
                        "it was not read", "(not a regular file); kept as it was, unread");
                Path bad = bdr.resolveSibling(bdr.getFileName().toString().replace(".bdr", ".bad"));
                assertThat(Files.isSymbolicLink(bad)).as("kept as it was: the link itself").isTrue();
            }
            assertThat(logs.containing("MR1107")).hasSize(2);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(server.server().spool().size()).isZero();
            secretIsNowhereUnder(home);
        }
    }

    @Test
    void aFileSwappedForALinkBetweenScanAndClaimGoesToBadmailUnread() throws Exception {
        Path home = tmp.resolve("home");
        Path pickup = Files.createDirectories(home.resolve("pickup"));
        Path secret = secret();
        List<SpoolEntry> spooled = new CopyOnWriteArrayList<>();
        Clock clock = Clock.systemUTC();
        try (Spool spool = Spool.open(home.resolve("queue"), Spool.Options.defaults());
             LogCapture logs = new LogCapture()) {
            PickupDirectory dir = new PickupDirectory(pickup, "test", new PickupDirectory.Settings(Duration.ZERO,
                    Duration.ofSeconds(1), 1, 100, false), spool, new MessageIds(clock),
                    new LocalRecipients(List.of("localhost"), Files.createDirectories(home.resolve("mailboxes")), true),
                    new Badmail(home.resolve("badmail"), clock), 1 << 20, clock, spooled::add);
            dir.beforeClaim(p -> {
                try { // the scanner saw a regular file; now a link takes its place
                    Files.delete(p);
                    Files.createSymbolicLink(p, secret);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Path file = pickup.resolve("swapped.eml");
            Files.writeString(file, "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: s\r\n\r\nx\r\n");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
            try {
                dir.start(Set.of());
                await().atMost(Duration.ofSeconds(10)).until(() -> bdrs(home.resolve("badmail")).size() == 1);
                assertThat(read(bdrs(home.resolve("badmail")).get(0))).contains("not a regular file: a symbolic link");
                assertThat(logs.containing("MR1107")).singleElement().asString().contains("swapped.eml");
                assertThat(spooled).isEmpty();
                assertThat(spool.size()).isZero();
            } finally {
                dir.close();
            }
        }
        secretIsNowhereUnder(home);
    }

    @Test
    void aClaimSwappedForALinkBetweenTheCheckAndTheOpenIsRefusedByTheOpen() throws Exception {
        Path claim = tmp.resolve("1AAAAAAAAAAAA.claim.eml");
        Files.writeString(claim, "Subject: a regular file when checked\r\n\r\nx\r\n");
        Path secret = secret();
        assertThatThrownBy(() -> PickupFile.open(claim, () -> {
            try {
                Files.delete(claim);
                Files.createSymbolicLink(claim, secret);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })).isInstanceOf(NotARegularFile.class).hasMessageContaining("not a regular file: a symbolic link");
    }

    @Test
    void aClaimReplacedByAnotherRegularFileWhileBeingOpenedIsRefused() throws Exception {
        Path claim = tmp.resolve("1BBBBBBBBBBBB.claim.eml");
        Files.writeString(claim, "Subject: first\r\n\r\nx\r\n");
        assertThatThrownBy(() -> PickupFile.open(claim, () -> {
            try {
                Path other = Files.writeString(tmp.resolve("other"), "Subject: other\r\n\r\ny\r\n");
                Files.move(other, claim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })).isInstanceOf(NotARegularFile.class).hasMessageContaining("replaced");
    }
}
