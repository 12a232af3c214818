package dev.mailroot.server.spool;

import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A message's progress (notes, fates, replaced content, trace) as the spool keeps it across a restart. */
class ProgressRecordsTest {

    @TempDir
    Path dir;

    private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

    private static SpoolEnvelope envelope() {
        return new SpoolEnvelope("a@example.org", List.of("bob@localhost"), "helo.test", "127.0.0.1", T, Source.SMTP, null);
    }

    @Test
    void notesOfEveryTypeFatesContentAndTraceSurviveARestart() throws Exception {
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("a.string", "spam score 1.5 \u00e9\n");
        notes.put("a.bool", true);
        notes.put("a.int", 42);
        notes.put("a.long", 1L << 40);
        notes.put("a.double", 7.25);
        notes.put("a.instant", Instant.parse("2026-12-04T10:00:00.123456789Z"));
        Progress progress = new Progress(List.of("{B1}", "{B2}"), notes,
                List.of(new RecipientOutcome("carol@localhost", "REJECT", "over quota", "'matcher' {B1}")),
                new Progress.ContentFile("X.r1.eml", 14),
                List.of(TraceEntry.of(T, "received", "source", "smtp"), TraceEntry.of(T, "sink", "binding", "matcher")), 2);
        String id;
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            MessageBuffer buffer = spool.newBuffer("X");
            buffer.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            SpoolEntry e = spool.submit("X", envelope(), null, Progress.NONE, buffer);
            java.nio.file.Files.writeString(dir.resolve("X.r1.eml"), "Subject: y\r\n\r\n");
            spool.progress(e, envelope(), null, progress, true);
            id = e.id();
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry e = spool.recovered().get(0);
            assertThat(e.id()).isEqualTo(id);
            assertThat(e.stage()).isEqualTo(Stage.SUBMITTED);
            assertThat(e.progress()).isEqualTo(progress);
            assertThat(e.progress().notes().get("a.int")).isInstanceOf(Integer.class);
            assertThat(new String(dev.mailroot.server.message.MessageContent.readAll(spool.content(e)), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: y\r\n\r\n");
        }
    }

    @Test
    void aReplacedContentFileThatIsGoneLeavesTheMessageAsAcceptedInsteadOfLosingIt() throws Exception {
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            MessageBuffer buffer = spool.newBuffer("Y");
            buffer.write("Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            SpoolEntry e = spool.submit("Y", envelope(), null, Progress.NONE, buffer);
            spool.progress(e, envelope(), null, new Progress(List.of("{B1}"), Map.of(), List.of(),
                    new Progress.ContentFile("Y.r9.eml", 5), List.of(), 0), true);
        }
        try (Spool spool = Spool.open(dir, Spool.Options.defaults())) {
            SpoolEntry e = spool.recovered().get(0);
            assertThat(e.progress().content()).isNull();
            assertThat(e.progress().done()).isEmpty();
            assertThat(new String(dev.mailroot.server.message.MessageContent.readAll(spool.content(e)), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: kept\r\n\r\nbody\r\n");
        }
    }

    @Test
    void aLongTraceKeepsItsBeginningAndItsEndAndCountsWhatWentBetween() {
        Progress p = Progress.arrived(TraceEntry.of(T, "received"), 0);
        List<TraceEntry> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            TraceEntry e = TraceEntry.of(T.plusSeconds(i), "deferred", "n", Integer.toString(i));
            all.add(e);
            p = p.traced(List.of(e));
        }
        List<TraceEntry> t = p.trace();
        assertThat(t).hasSize(Progress.MAX_TRACE);
        assertThat(t.get(0).event()).isEqualTo("received");
        assertThat(t.subList(1, Progress.TRACE_HEAD)).isEqualTo(all.subList(0, Progress.TRACE_HEAD - 1));
        assertThat(t.get(Progress.TRACE_HEAD).event()).isEqualTo("trimmed");
        int kept = Progress.MAX_TRACE - Progress.TRACE_HEAD - 1;
        assertThat(t.get(Progress.TRACE_HEAD).fields().get("entries"))
                .isEqualTo(Integer.toString(1001 - Progress.TRACE_HEAD - kept));
        assertThat(t.get(t.size() - 1).fields().get("n")).isEqualTo("999");
    }
}
