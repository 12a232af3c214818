package dev.mailroot.server.spool;

import dev.mailroot.server.LogCapture;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SpoolTest {

    @TempDir
    Path dir;

    private static final Spool.Options SMALL_SEGMENTS = new Spool.Options(4096, 64 * 1024, 1 << 20);

    private static SpoolEnvelope envelope(String... rcpts) {
        return new SpoolEnvelope("alice@example.org", List.of(rcpts), "helo.example", "192.0.2.1",
                Instant.parse("2026-11-27T10:00:00Z"), Source.SMTP, null);
    }

    private static SpoolEntry submit(Spool spool, String id, String content, SpoolEnvelope env) throws IOException {
        MessageBuffer buf = spool.newBuffer(id);
        buf.write(content.getBytes(StandardCharsets.UTF_8));
        return spool.submit(id, env, buf);
    }

    private static String text(Spool spool, SpoolEntry e) throws IOException {
        return new String(MessageContent.readAll(spool.content(e)), StandardCharsets.UTF_8);
    }

    private List<Path> segments() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void submittedMessagesSurviveAReopenWithEnvelopeContentAndUpdates() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry a = submit(spool, "AAA", "Subject: a\r\n\r\nbody a\r\n", envelope("bob@localhost"));
            submit(spool, "BBB", "Subject: b\r\n\r\nbody b\r\n", envelope("carol@localhost", "dave@localhost"));
            HeaderOverride override = new HeaderOverride("Subject: changed\r\nX-New: 1\r\n".getBytes(), 12);
            spool.update(a, envelope("zed@localhost"), Stage.DISPATCHED, override);
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactly("AAA", "BBB");
            SpoolEntry a = spool.recovered().get(0);
            SpoolEntry b = spool.recovered().get(1);
            assertThat(a.stage()).isEqualTo(Stage.DISPATCHED);
            assertThat(a.envelope().recipients()).containsExactly("zed@localhost");
            assertThat(text(spool, a)).isEqualTo("Subject: changed\r\nX-New: 1\r\n\r\nbody a\r\n");
            assertThat(b.stage()).isEqualTo(Stage.SUBMITTED);
            assertThat(b.envelope()).isEqualTo(envelope("carol@localhost", "dave@localhost"));
            assertThat(text(spool, b)).isEqualTo("Subject: b\r\n\r\nbody b\r\n");
        }
    }

    @Test
    void messagesThatLeftAreNotRecoveredAndDrainedSegmentsAreDeleted() throws Exception {
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            List<SpoolEntry> entries = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                entries.add(submit(spool, "M" + i, "Subject: " + i + "\r\n\r\n" + "x".repeat(500) + "\r\n", envelope("bob@localhost")));
            }
            assertThat(segments().size()).isGreaterThan(3);
            for (int i = 0; i < 39; i++) {
                spool.done(entries.get(i), "delivered").get(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> segments().size() <= 2);
            assertThat(spool.size()).isEqualTo(1);
        }
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactly("M39");
            assertThat(text(spool, spool.recovered().get(0))).startsWith("Subject: 39\r\n");
        }
    }

    @Test
    void aRecordCutShortByACrashIsIgnoredAndEverythingBeforeItRecovered() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            submit(spool, "FIRST", "Subject: 1\r\n\r\none\r\n", envelope("bob@localhost"));
            submit(spool, "SECOND", "Subject: 2\r\n\r\ntwo\r\n", envelope("bob@localhost"));
        }
        Path seg = segments().get(0);
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 7); // the second record loses its tail, as if the machine died mid-write
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactly("FIRST");
            // the journal goes on working after the damaged tail
            submit(spool, "THIRD", "Subject: 3\r\n\r\nthree\r\n", envelope("bob@localhost"));
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactly("FIRST", "THIRD");
        }
    }

    @Test
    void aDamagedRecordIsReportedAndTheRecordsAfterItAreRecovered() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            submit(spool, "DAMAGED", "Subject: 1\r\n\r\nthe first message\r\n", envelope("bob@localhost"));
            submit(spool, "INTACT", "Subject: 2\r\n\r\nthe second message\r\n", envelope("bob@localhost"));
        }
        Path seg = segments().get(0);
        byte[] bytes = Files.readAllBytes(seg);
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int pos = s.indexOf("the first message");
        bytes[pos] ^= 0x20; // one flipped bit of content: the checksum no longer matches
        Files.write(seg, bytes);
        try (LogCapture logs = new LogCapture();
             Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactly("INTACT");
            assertThat(logs.containing("MR1013")).isNotEmpty();
        }
    }

    @Test
    void aLargeMessageKeepsItsContentInItsOwnFileUntilItLeaves() throws Exception {
        String big = "Subject: big\r\n\r\n" + "0123456789".repeat(10_000) + "\r\n";
        SpoolEntry entry;
        try (Spool spool = Spool.open(dir, new Spool.Options(1 << 20, 1024, 1 << 20))) {
            entry = submit(spool, "BIG", big, envelope("bob@localhost"));
            assertThat(dir.resolve("BIG.eml")).exists();
        }
        try (Spool spool = Spool.open(dir, new Spool.Options(1 << 20, 1024, 1 << 20))) {
            SpoolEntry recovered = spool.recovered().get(0);
            assertThat(text(spool, recovered)).isEqualTo(big);
            spool.done(recovered, "delivered").get(5, TimeUnit.SECONDS);
            assertThat(dir.resolve("BIG.eml")).doesNotExist();
        }
        assertThat(entry.id()).isEqualTo("BIG");
    }

    @Test
    void contentFilesOfMessagesThatNeverGotIntoTheSpoolAreRemovedAtOpen() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ORPHAN.eml"), "half a message from a transaction that was cut off");
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered()).isEmpty();
        }
        assertThat(dir.resolve("ORPHAN.eml")).doesNotExist();
    }

    @Test
    void aWaitingMessageIsRewrittenSoTheOldSegmentsCanGo() throws Exception {
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            SpoolEntry waiting = submit(spool, "WAIT", "Subject: w\r\n\r\nwaits\r\n", envelope("a@localhost", "b@localhost"));
            List<SpoolEntry> others = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                others.add(submit(spool, "O" + i, "Subject: o\r\n\r\n" + "y".repeat(500) + "\r\n", envelope("bob@localhost")));
            }
            for (SpoolEntry e : others) {
                spool.done(e, "delivered").get(5, TimeUnit.SECONDS);
            }
            Path firstSegment = segments().get(0);
            spool.rewrite(waiting, envelope("b@localhost"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(firstSegment));
            assertThat(waiting.envelope().recipients()).containsExactly("b@localhost");
        }
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            assertThat(spool.recovered()).singleElement().satisfies(e -> {
                assertThat(e.id()).isEqualTo("WAIT");
                assertThat(e.envelope().recipients()).containsExactly("b@localhost");
            });
            assertThat(text(spool, spool.recovered().get(0))).isEqualTo("Subject: w\r\n\r\nwaits\r\n");
        }
    }

    @Test
    void concurrentSubmitsAreAllDurable() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String id = "T" + thread + "N" + i;
                        submit(spool, id, "Subject: " + id + "\r\n\r\nbody\r\n", envelope("bob@localhost"));
                        ids.add(id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            assertThat(spool.recovered()).hasSize(400);
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactlyInAnyOrderElementsOf(ids);
            for (SpoolEntry e : spool.recovered()) {
                assertThat(text(spool, e)).isEqualTo("Subject: " + e.id() + "\r\n\r\nbody\r\n");
            }
        }
    }

    @Test
    void segmentsArePreallocatedAndTheirZeroTailIsNotDamageButATornRecordInItIs() throws Exception {
        Spool.Options opts = new Spool.Options(64 * 1024, 64 * 1024, 1 << 20);
        Path prepared = dir.resolve("next-segment.pre");
        Files.createDirectories(dir);
        Files.write(dir.resolve("next-segment.pre.tmp"), new byte[100]); // left by a crash mid-preparation
        List<String> ids = new ArrayList<>();
        try (Spool spool = Spool.open(dir, opts)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(prepared));
            assertThat(dir.resolve("next-segment.pre.tmp")).doesNotExist();
            assertThat(Files.size(prepared)).isEqualTo(64 * 1024);
            for (int i = 0; i < 80; i++) {   // about 1.3 segments of 64 KB: one roll, into the prepared file
                ids.add("P" + i);
                submit(spool, "P" + i, "Subject: " + i + "\r\n\r\n" + "z".repeat(1000) + "\r\n", envelope("bob@localhost"));
            }
            List<Path> segs = segments();
            assertThat(segs).hasSize(2);
            // the active segment was preallocated in full, although records fill only part of it
            assertThat(Files.size(segs.get(1))).isEqualTo(64 * 1024);
            assertThat(Files.size(segs.get(0))).isGreaterThan(64 * 1024); // the first grew as it was appended to
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(prepared)); // and the next is ready
        }
        // read back: the zeros after the last record are the end of the segment, not damage
        try (LogCapture logs = new LogCapture();
             Spool spool = Spool.open(dir, opts)) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactlyElementsOf(ids);
            assertThat(text(spool, spool.recovered().get(79))).startsWith("Subject: 79\r\n");
            assertThat(logs.containing("MR1013")).isEmpty();
            // the prepared segment left at the stop served this start: the new active one is full size
            assertThat(Files.size(segments().get(2))).isEqualTo(64 * 1024);
        }
        // a record torn by a crash inside the preallocated area is still reported, and nothing before it lost
        Path seg = segments().get(1);
        byte[] bytes = Files.readAllBytes(seg);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        byte[] torn = {'M', 'R', 'J', '1', 1, 0, 0, 4, 0, 'a', 'b', 'c'};
        System.arraycopy(torn, 0, bytes, end, torn.length);
        Files.write(seg, bytes);
        try (LogCapture logs = new LogCapture();
             Spool spool = Spool.open(dir, opts)) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id).containsExactlyElementsOf(ids);
            assertThat(logs.containing("MR1013")).singleElement().asString().contains("damaged record at the end");
        }
    }

    @Test
    void aSecondSpoolOnTheSameFolderIsRefused() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThatThrownBy(() -> Spool.open(dir, Spool.Options.defaults())).isInstanceOf(Spool.LockedException.class);
        }
    }

    @Test
    void messageIdsAreUniqueAndSortByTime() {
        java.time.Clock fixed = java.time.Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), java.time.ZoneOffset.UTC);
        MessageIds ids = new MessageIds(fixed);
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            issued.add(ids.next());
        }
        assertThat(issued).doesNotHaveDuplicates().isSorted().allMatch(id -> id.matches("[0-9A-Z]{13}"));
        MessageIds later = new MessageIds(java.time.Clock.offset(fixed, Duration.ofMillis(1)));
        assertThat(later.next()).isGreaterThan(issued.get(0));
    }

    // poison-message protection: what the spool remembers of sink calls across a death

    private static final BindingRef KILLER = new BindingRef("{00000000-0000-0000-0000-00000000000A}", "killer");
    private static final BindingRef OTHER = new BindingRef("{00000000-0000-0000-0000-00000000000B}", "other");

    @Test
    void aMessageWhoseSinkCallWasOpenWhenTheProcessDiedCountsOneCrashNamingTheBinding() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry a = submit(spool, "AAA", "Subject: a\r\n\r\nx\r\n", envelope("bob@localhost"));
            SpoolEntry b = submit(spool, "BBB", "Subject: b\r\n\r\nx\r\n", envelope("bob@localhost"));
            spool.beginCall(a, KILLER, true);
            spool.beginCall(b, OTHER, true);
            spool.markDispatched(b, true); // b's chain ended; a's call never did
            spool.close(false);            // the process ends without a stop request
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry a = spool.recovered().get(0);
            SpoolEntry b = spool.recovered().get(1);
            assertThat(a.crashes()).isEqualTo(1);
            assertThat(a.suspects()).containsExactly(KILLER);
            assertThat(a.stage()).isEqualTo(Stage.SUBMITTED);
            assertThat(b.crashes()).isZero();
            assertThat(b.stage()).as("a chain that ended needs no second run").isEqualTo(Stage.DISPATCHED);
            spool.beginCall(a, KILLER, true);
            spool.close(false);
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry a = spool.recovered().get(0);
            assertThat(a.crashes()).isEqualTo(2);
            assertThat(a.suspects()).containsExactly(KILLER, KILLER);
        }
    }

    @Test
    void aPlannedStopDuringACallAndAReopenWithoutANewCallDoNotCount() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry a = submit(spool, "AAA", "Subject: a\r\n\r\nx\r\n", envelope("bob@localhost"));
            spool.beginCall(a, KILLER, true);
            spool.close(false);
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered().get(0).crashes()).isEqualTo(1);
            spool.beginCall(spool.recovered().get(0), OTHER, true);
            spool.close(true); // SIGTERM while a sink runs: not the message's fault
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered().get(0).crashes()).isEqualTo(1);
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            assertThat(spool.recovered().get(0).crashes()).as("a start that ran nothing adds nothing").isEqualTo(1);
        }
    }

    @Test
    void aChainThatEndsClearsTheCountAndARetryRewriteKeepsAnOpenCount() throws Exception {
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            SpoolEntry a = submit(spool, "AAA", "Subject: a\r\n\r\nx\r\n", envelope("bob@localhost"));
            SpoolEntry b = submit(spool, "BBB", "Subject: b\r\n\r\nx\r\n", envelope("bob@localhost"));
            spool.beginCall(a, KILLER, true);
            spool.beginCall(b, KILLER, true);
            spool.close(false);
        }
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            SpoolEntry a = spool.recovered().get(0);
            SpoolEntry b = spool.recovered().get(1);
            spool.update(a, a.envelope(), Stage.DISPATCHED, null); // a's sinks ran to the end this time
            assertThat(a.crashes()).isZero();
            spool.done(a, "delivered").get(5, TimeUnit.SECONDS);
            // b waits for a retry before its chain ran (a missing sink): it is re-written, and so
            // must its count be, or the old segment that held it would take it along
            for (int i = 0; i < 20; i++) {
                spool.rewrite(b, b.envelope());
            }
            assertThat(b.crashes()).isEqualTo(1);
        }
        try (Spool spool = Spool.open(dir, SMALL_SEGMENTS)) {
            assertThat(spool.recovered()).extracting(SpoolEntry::id, SpoolEntry::crashes)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("BBB", 1));
            assertThat(segments()).as("the old segments went").allSatisfy(p -> assertThat(p.getFileName().toString())
                    .isNotEqualTo("0000000000000001.seg"));
        }
    }

    @Test
    void aLargeMessageThatLeftIsNotReportedMissingAtRestartButOneStillLiveIs() throws Exception {
        Spool.Options smallInline = new Spool.Options(32L << 20, 1024, 1 << 20);
        String big = "Subject: big\r\n\r\n" + "x".repeat(5000) + "\r\n";
        try (Spool spool = Spool.open(dir, smallInline)) {
            SpoolEntry gone = submit(spool, "GONE", big, envelope("bob@localhost"));
            submit(spool, "LIVE", big, envelope("bob@localhost"));
            spool.done(gone, "delivered").get(5, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve("GONE.eml")).doesNotExist();
        Files.delete(dir.resolve("LIVE.eml")); // lost behind the server's back
        try (LogCapture logs = new LogCapture(); Spool spool = Spool.open(dir, smallInline)) {
            assertThat(spool.recovered()).isEmpty();
            assertThat(logs.containing("MR1013")).singleElement().asString().contains("id=LIVE", "LIVE.eml is missing");
        }
    }
}
