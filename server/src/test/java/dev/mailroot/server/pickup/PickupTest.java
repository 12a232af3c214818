package dev.mailroot.server.pickup;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.TestSinks;
import dev.mailroot.server.spool.MessageBuffer;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PickupTest {

    @TempDir
    Path home;

    private static final String FAST = "pickup: {settleMillis: 100, rescanSeconds: 1}\n";

    private Path pickup() throws Exception {
        return Files.createDirectories(home.resolve("mailroot/pickup"));
    }

    /** Writes a file elsewhere and moves it in, as docs/pickup.md tells writers to. */
    private Path drop(String name, String content) throws Exception {
        return drop(name, content.getBytes(StandardCharsets.UTF_8), null);
    }

    private Path drop(String name, byte[] content, Instant modified) throws Exception {
        Path staging = Files.createDirectories(home.resolve("staging"));
        Path tmp = staging.resolve(name);
        Files.write(tmp, content);
        if (modified != null) {
            Files.setLastModifiedTime(tmp, FileTime.from(modified));
        }
        return Files.move(tmp, pickup().resolve(name));
    }

    private List<String> pickupNames() throws Exception {
        try (var s = Files.list(pickup())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".claimed")).sorted().toList();
        }
    }

    private static String only(TestServer server, String mailbox) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail(mailbox).size() == 1);
        return Files.readString(server.newMail(mailbox).get(0));
    }

    @Test
    void xSenderAndXReceiverLinesGiveTheEnvelopeAndAreStripped() throws Exception {
        try (TestServer server = TestServer.start(home, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            drop("one.eml", "X-Sender: <boss@example.org>\r\nx-receiver: bob@localhost\r\nX-RECEIVER: carol@localhost\r\n"
                    + "From: someone-else@example.org\r\nTo: nobody@localhost\r\nSubject: envelope lines\r\n\r\nbody\r\n");
            String bob = only(server, "bob");
            // admission adds a Received field on top, and the Message-ID and Date the file lacks at the end
            assertThat(bob).matches("(?s)Return-Path: <boss@example.org>\r\nDelivered-To: bob@localhost\r\n"
                    + "Received: by [^ ]+ \\(Mailroot pickup file one.eml\\)\r\n\tid [0-9A-Z]{13}; [^\r\n]+\r\n"
                    + "From: someone-else@example.org\r\nTo: nobody@localhost\r\nSubject: envelope lines\r\n"
                    + "Message-ID: <[0-9A-Z]{13}@[^>]+>\r\nDate: [^\r\n]+\r\n\r\nbody\r\n");
            assertThat(only(server, "carol")).contains("Delivered-To: carol@localhost");
            assertThat(server.newMail("nobody")).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> pickupNames().isEmpty());
        }
    }

    @Test
    void withoutEnvelopeLinesTheHeadersGiveItAndBccIsRemoved() throws Exception {
        try (TestServer server = TestServer.start(home, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            drop("headers.EML", "From: Alice <alice@example.org>\r\nSender: secretary@example.org\r\n"
                    + "To: Bob <bob@localhost>, carol@localhost\r\nCc: undisclosed: dave@localhost;\r\n"
                    + "Bcc: hidden@localhost\r\nSubject: from headers\r\n\r\nhello\r\n");
            for (String box : List.of("bob", "carol", "dave", "hidden")) {
                String copy = only(server, box);
                assertThat(copy).startsWith("Return-Path: <secretary@example.org>\r\nDelivered-To: " + box + "@localhost\r\n")
                        .doesNotContain("Bcc", "hidden@localhost\r\nSubject").contains("Subject: from headers\r\nMessage-ID: <")
                        .endsWith("\r\n\r\nhello\r\n");
            }
            drop("from-only.eml", "From: alice@example.org\nTo: erin@localhost\nSubject: lf only\n\nx\n");
            assertThat(only(server, "erin")).startsWith("Return-Path: <alice@example.org>\nDelivered-To: erin@localhost\n");
        }
    }

    @Test
    void pickupMailFiresOnSubmissionWithSourcePickupAndTheFileName() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        var chain = TestSinks.chain(TestSinks.bound("watch", 1, (s, c) -> {
            seen.add(s.source() + " " + s.envelope().pickupFileName().orElse("-") + " "
                    + s.envelope().clientAddress().isPresent() + " " + s.envelope().helo().isPresent());
            s.headers().add("X-Seen", s.source().wireName());
            return SinkStatus.RUN_NEXT_SINK;
        }));
        try (TestServer server = TestServer.start(home, FAST, chain)) {
            drop("named.eml", "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: s\r\n\r\nb\r\n");
            assertThat(only(server, "bob")).contains("X-Seen: pickup");
            assertThat(seen).containsExactly(Source.PICKUP + " named.eml false false");
        }
    }

    @Test
    void badFilesGoToBadmailWithAReasonAndTheFilesBehindThemAreDelivered() throws Exception {
        Instant old = Instant.now().minusSeconds(3600);
        drop("a-empty.eml", new byte[0], old);
        drop("b-binary.eml", new byte[]{0, 1, 2, (byte) 0xff, 10, 13, 0}, old.plusSeconds(1));
        drop("c-norcpt.eml", "From: a@example.org\r\nSubject: to nobody\r\n\r\nx\r\n".getBytes(), old.plusSeconds(2));
        drop("d-big.eml", ("x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: big\r\n\r\n"
                + "y".repeat(3000)).getBytes(), old.plusSeconds(3));
        // a connector hands over mail for the local domains only (plain pickup files may name remote recipients)
        drop("e-foreign.eml", ("x-sender: a@example.org\r\nx-receiver: x@elsewhere.example\r\nx-connector: pop3-connector\r\n"
                + "Subject: relay\r\n\r\nx\r\n").getBytes(), old.plusSeconds(4));
        drop("f-order.eml", "x-receiver: bob@localhost\r\nx-sender: a@example.org\r\nSubject: s\r\n\r\nx\r\n".getBytes(),
                old.plusSeconds(5));
        drop("g-badaddr.eml", "From: a@example.org\r\nTo: <unclosed\r\nSubject: s\r\n\r\nx\r\n".getBytes(), old.plusSeconds(6));
        drop("h-traversal.eml", "x-sender: a@example.org\r\nx-receiver: ../../etc@localhost\r\nSubject: s\r\n\r\nx\r\n"
                .getBytes(), old.plusSeconds(7));
        drop("i-connector.eml", "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nx-connector: smtp\r\nSubject: s\r\n\r\nx\r\n"
                .getBytes(), old.plusSeconds(8));
        drop("j-client.eml", ("x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nx-connector: pop3-connector\r\n"
                + "x-client-address: evil.example\r\nSubject: s\r\n\r\nx\r\n").getBytes(), old.plusSeconds(9));
        for (int i = 1; i <= 3; i++) {
            drop("z-good" + i + ".eml", ("From: a@example.org\r\nTo: good" + i + "@localhost\r\nSubject: good\r\n\r\nfine\r\n")
                    .getBytes(), old.plusSeconds(10 + i));
        }
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, FAST + "smtp: {maxMessageSize: 2000}\n",
                     dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            for (int i = 1; i <= 3; i++) {
                assertThat(only(server, "good" + i)).endsWith("fine\r\n");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.badmail().size() == 20);
            assertThat(pickupNames()).isEmpty();
            List<String> reasons = logs.containing("MR1102").stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(reasons).hasSize(10);
            assertReason(reasons, "a-empty.eml", "the file is empty");
            assertReason(reasons, "b-binary.eml", "not a message");
            assertReason(reasons, "c-norcpt.eml", "no recipient");
            assertReason(reasons, "d-big.eml", "larger than smtp.maxMessageSize (2000)");
            assertReason(reasons, "e-foreign.eml", "<x@elsewhere.example> a connector's recipient must be local");
            assertReason(reasons, "f-order.eml", "x-receiver: line before any x-sender: line");
            assertReason(reasons, "g-badaddr.eml", "To: field cannot be read as addresses");
            assertReason(reasons, "h-traversal.eml", "5.1.3");
            assertReason(reasons, "i-connector.eml", "(or is smtp, pickup or sink): smtp");
            assertReason(reasons, "j-client.eml", "not an IPv4 or IPv6 address: evil.example");
            // each .bad is the file as it was (re-submittable) and has its .bdr
            for (Path bad : server.badmail().stream().filter(p -> p.toString().endsWith(".bad")).toList()) {
                Path bdr = bad.resolveSibling(bad.getFileName().toString().replace(".bad", ".bdr"));
                assertThat(Files.readString(bdr)).contains("Reason:", "pickup file", "To resubmit");
            }
            assertThat(server.badmail().stream().filter(p -> p.toString().endsWith(".bad")).map(p -> {
                try {
                    return Files.size(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            })).contains(0L, 7L);
            assertThat(server.newMail("bob")).isEmpty();
        }
    }

    private static void assertReason(List<String> reasons, String file, String reason) {
        assertThat(reasons).as(file).anySatisfy(r -> assertThat(r).contains(file, reason));
    }

    @Test
    void aForeignRecipientGoesToTheOutboundQueueWhileTheLocalOnesAreDelivered() throws Exception {
        // the pickup folder is local and trusted (as IIS's is: applications send mail out through it)
        try (TestServer server = TestServer.start(home, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            drop("mixed.eml", "From: a@example.org\r\nTo: bob@localhost, x@elsewhere.example\r\nSubject: mixed\r\n\r\nx\r\n");
            assertThat(only(server, "bob")).contains("Subject: mixed");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().recipients().equals(java.util.List.of("x@elsewhere.example"))));
            assertThat(server.badmail()).isEmpty();
        }
    }

    @Test
    void onlySettledFilesWithPickupNamesAreTaken() throws Exception {
        try (TestServer server = TestServer.start(home, "pickup: {settleMillis: 1000, rescanSeconds: 1}\n",
                dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            String msg = "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: s\r\n\r\nb\r\n";
            Files.writeString(pickup().resolve(".hidden.eml"), msg);
            Files.writeString(pickup().resolve("partial.eml.tmp"), msg);
            Files.writeString(pickup().resolve("note.txt"), msg);
            Files.createDirectory(pickup().resolve("folder.eml"));
            // being written in place: changed just now, and again and again
            Path growing = pickup().resolve("growing.eml");
            Files.writeString(growing, "x-sender: a@example.org\r\nx-receiver: growing@localhost\r\n");
            Files.setLastModifiedTime(growing, FileTime.from(Instant.now().plusSeconds(3600)));
            drop("marker.EML", msg);
            assertThat(only(server, "bob")).contains("Subject: s");
            // the marker was taken by a later scan than the files above were seen in
            assertThat(pickupNames()).containsExactly(".hidden.eml", "folder.eml", "growing.eml", "note.txt", "partial.eml.tmp");
            Files.writeString(growing, "x-sender: a@example.org\r\nx-receiver: growing@localhost\r\nSubject: done\r\n\r\nb\r\n");
            Files.setLastModifiedTime(growing, FileTime.from(Instant.now().minusSeconds(2)));
            assertThat(only(server, "growing")).contains("Subject: done");
        }
    }

    @Test
    void filesAreTakenOldestFirst() throws Exception {
        Instant base = Instant.now().minusSeconds(600);
        String[] names = {"m.eml", "c.eml", "x.eml", "a.eml", "q.eml"};
        for (int i = 0; i < names.length; i++) {
            drop(names[i], ("x-sender: a@example.org\r\nx-receiver: order@localhost\r\nSubject: " + i + "\r\n\r\nb\r\n")
                    .getBytes(), base.plusSeconds(i * 10L));
        }
        try (TestServer server = TestServer.start(home, FAST + "delivery: {threads: 1}\n",
                dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("order").size() == 5);
            List<String> subjects = server.newMail("order").stream().map(p -> {
                try {
                    String s = Files.readString(p);
                    return s.substring(s.indexOf("Subject: ") + 9, s.indexOf("Subject: ") + 10);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }).toList();
            assertThat(subjects).containsExactly("0", "1", "2", "3", "4");
        }
    }

    @Test
    void aClaimLeftByAStoppedServerIsFinishedOnceAndOnlyOnce() throws Exception {
        String instance = new dev.mailroot.server.Home(home).instanceId(); // made before the first start
        Path claimed = Files.createDirectories(pickup().resolve(".claimed").resolve(instance));
        String msg = "x-sender: a@example.org\r\nx-receiver: %s@localhost\r\nSubject: claimed\r\n\r\nb\r\n";
        // claimed, not yet spooled when the server stopped: it is processed
        Files.writeString(claimed.resolve("0AAAAAAAAAAAA.unspooled.eml"), msg.formatted("first"));
        // claimed and spooled, claim not yet removed: the spooled copy is delivered, the claim dropped
        try (Spool spool = Spool.open(home.resolve("mailroot/queue"), Spool.Options.defaults())) {
            MessageBuffer buf = spool.newBuffer("0BBBBBBBBBBBB");
            buf.write("Subject: claimed\r\n\r\nb\r\n".getBytes());
            spool.submit("0BBBBBBBBBBBB", new SpoolEnvelope("a@example.org", List.of("second@localhost"), null, null,
                    Instant.now(), Source.PICKUP, "spooled.eml"), buf);
        }
        Files.writeString(claimed.resolve("0BBBBBBBBBBBB.spooled.eml"), msg.formatted("second"));
        // claimed by a server from before claims were kept per instance (directly in .claimed/): adopted
        Files.writeString(claimed.getParent().resolve("0DDDDDDDDDDDD.older.eml"), msg.formatted("third"));
        try (TestServer server = TestServer.start(home, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            assertThat(only(server, "first")).contains("Subject: claimed");
            assertThat(only(server, "second")).contains("Subject: claimed");
            assertThat(only(server, "third")).contains("Subject: claimed");
            assertThat(claimed.getParent().resolve("0DDDDDDDDDDDD.older.eml")).doesNotExist();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (var s = Files.list(claimed)) {
                    return s.findAny().isEmpty();
                }
            });
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(server.newMail("second")).hasSize(1);
        }
    }

    @Test
    void serversSharingOnePickupFolderTakeEachFileOnceAndFinishOnlyTheirOwnClaims(@TempDir Path other) throws Exception {
        // a second server with its own home whose pickup folder is this one (a shared mount)
        Files.createDirectories(other.resolve("mailroot"));
        Files.createSymbolicLink(other.resolve("mailroot/pickup"), pickup());
        String msg = "x-sender: a@example.org\r\nx-receiver: %s@localhost\r\nSubject: %s\r\n\r\nb\r\n";
        // a claim the other server left when it stopped: this server must not finish it
        String otherInstance = new dev.mailroot.server.Home(other).instanceId();
        Path otherClaims = Files.createDirectories(pickup().resolve(".claimed").resolve(otherInstance));
        Files.writeString(otherClaims.resolve("0CCCCCCCCCCCC.theirs.eml"), msg.formatted("theirs", "left by the other"));
        try (TestServer one = TestServer.start(home, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            drop("mine.eml", msg.formatted("mine", "mine"));
            assertThat(only(one, "mine")).contains("Subject: mine");
            assertThat(one.newMail("theirs")).isEmpty();
            assertThat(otherClaims.resolve("0CCCCCCCCCCCC.theirs.eml")).exists();
            try (TestServer two = TestServer.start(other, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
                assertThat(only(two, "theirs")).contains("Subject: left by the other");
                // both scan the folder now: 60 files, each delivered once, by one server or the other
                for (int i = 0; i < 60; i++) {
                    drop("shared-" + i + ".eml", msg.formatted("shared", "shared " + i));
                }
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        one.newMail("shared").size() + two.newMail("shared").size() >= 60);
                await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> true);
                List<String> subjects = new java.util.ArrayList<>();
                for (TestServer s : List.of(one, two)) {
                    for (Path p : s.newMail("shared")) {
                        subjects.add(Files.readString(p).lines().filter(l -> l.startsWith("Subject: "))
                                .findFirst().orElseThrow());
                    }
                }
                assertThat(subjects).hasSize(60).doesNotHaveDuplicates();
                assertThat(pickupNames()).isEmpty();
            }
        }
    }

    @Test
    void withChangeNotificationsOffTheRescanAloneFindsFiles() throws Exception {
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "pickup: {settleMillis: 100, rescanSeconds: 1, watch: false}\n",
                     dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            assertThat(logs.containing("MR1104")).singleElement().asString().contains("change notifications off");
            drop("rescanned.eml", "x-sender: a@example.org\r\nx-receiver: rescan@localhost\r\nSubject: rescanned\r\n\r\nb\r\n");
            assertThat(only(server, "rescan")).contains("Subject: rescanned");
            assertThat(pickupNames()).isEmpty();
        }
    }

    @Test
    void pickupCanBeSwitchedOff() throws Exception {
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.start(home, "pickup: {enabled: false}\n", dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            drop("ignored.eml", "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: s\r\n\r\nb\r\n");
            assertThat(logs.containing("MR1104")).isEmpty();
            assertThat(pickupNames()).containsExactly("ignored.eml");
        }
    }

    @Test
    void aBadFileNamedWithControlCharactersHasThemShownNotActingInItsReasonFile() throws Exception {
        try (TestServer server = TestServer.start(home, FAST, dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            drop("evil\u001b[31m\nReason: forged.eml", "not a message at all\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.badmail().stream()
                    .anyMatch(p -> p.getFileName().toString().endsWith(".bdr")));
            Path bdr = server.badmail().stream().filter(p -> p.getFileName().toString().endsWith(".bdr")).findFirst().orElseThrow();
            String report = Files.readString(bdr);
            assertThat(report).doesNotContain("\u001b").contains("evil\\x1b[31m");
            assertThat(report.lines().filter(l -> l.startsWith("Reason:"))).hasSize(1);
        }
    }
}
