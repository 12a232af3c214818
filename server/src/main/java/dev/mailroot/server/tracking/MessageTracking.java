package dev.mailroot.server.tracking;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailroot.server.spool.TraceEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The message-tracking log ({@code logs/tracking.jsonl}, rotated daily with the server log): one JSON
 * object per line and per event of a message's trace, written when the message leaves the spool
 * (delivered, in badmail, dropped), so that {@code bin/mailroot trace} and scripts ({@code jq}) can
 * follow a message from its arrival through every sink call to its end. Each line carries
 * {@code time}, {@code id} and {@code event}, then the event's fields.
 */
public final class MessageTracking {
    /** The logger the tracking appender listens to (logback.xml); nothing else is written to it. */
    public static final String LOGGER = "mailroot.tracking";
    private static final Logger out = LoggerFactory.getLogger(LOGGER);
    private static final JsonFactory json = new JsonFactory();
    private static final com.fasterxml.jackson.core.io.SerializedString NEWLINE =
            new com.fasterxml.jackson.core.io.SerializedString("\n");

    /** Writes {@code id}'s trace, one line per entry. */
    public void write(String id, List<TraceEntry> trace) {
        if (!out.isInfoEnabled() || trace.isEmpty()) {
            return;
        }
        // one logging event per message, not per line: the log writer's cost is per event
        StringWriter w = new StringWriter(trace.size() * 200);
        try (JsonGenerator g = json.createGenerator(w).setRootValueSeparator(NEWLINE)) {
            for (TraceEntry e : trace) {
                write(g, id, e);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // cannot happen in memory
        }
        out.info(w.toString());
    }

    /** One entry as a JSON line (without the line end). */
    public static String line(String id, TraceEntry e) {
        StringWriter w = new StringWriter(160);
        try (JsonGenerator g = json.createGenerator(w)) {
            write(g, id, e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // cannot happen in memory
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, String id, TraceEntry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("time", e.time().toString());
        g.writeStringField("id", id);
        g.writeStringField("event", e.event());
        for (Map.Entry<String, String> f : e.fields().entrySet()) {
            g.writeStringField(f.getKey(), f.getValue());
        }
        g.writeEndObject();
    }

    /** A trace entry now. */
    public static TraceEntry event(Instant at, String event, String... namesAndValues) {
        return TraceEntry.of(at, event, namesAndValues);
    }
}
