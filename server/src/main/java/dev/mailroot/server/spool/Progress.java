package dev.mailroot.server.spool;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the OnSubmission sinks made of a message beyond its envelope and headers, kept with it in
 * the spool so that it survives a restart: the bindings whose calls are done (a chain that was
 * deferred or interrupted resumes after them), the notes, the recipients given a fate of their own,
 * the replaced content, the trace, and how many generations of sink mail led to it.
 *
 * @param done       ids of the bindings whose calls completed in the current chain, in run order
 * @param notes      the notes: String, Boolean, Integer, Long, Double or Instant values by name
 * @param outcomes   recipients a sink took out with a fate of their own
 * @param content    the replaced content (a file in the queue folder), or null if the original stands
 * @param trace      the trace so far
 * @param generation 0 for mail from outside; n+1 for mail a sink sent while handling generation n
 */
public record Progress(List<String> done, Map<String, Object> notes, List<RecipientOutcome> outcomes,
                       ContentFile content, List<TraceEntry> trace, int generation) {
    /** Nothing yet. */
    public static final Progress NONE = new Progress(List.of(), Map.of(), List.of(), null, List.of(), 0);

    public Progress {
        done = List.copyOf(done);
        notes = Collections.unmodifiableMap(new LinkedHashMap<>(notes));
        outcomes = List.copyOf(outcomes);
        trace = List.copyOf(trace);
    }

    /** A fresh message's progress: its first trace entry and its generation. */
    public static Progress arrived(TraceEntry received, int generation) {
        return new Progress(List.of(), Map.of(), List.of(), null, List.of(received), generation);
    }

    /**
     * A trace longer than this (a message deferred for a day, say) keeps its first {@value #TRACE_HEAD}
     * and its last entries, with one {@code trimmed} entry between them saying how many went: every
     * record of the message carries its trace, so it must not grow without bound.
     */
    static final int MAX_TRACE = 200;
    static final int TRACE_HEAD = 20;

    /** This progress with {@code entries} added to the trace. */
    public Progress traced(List<TraceEntry> entries) {
        if (entries.isEmpty()) {
            return this;
        }
        List<TraceEntry> t = new java.util.ArrayList<>(trace);
        t.addAll(entries);
        return new Progress(done, notes, outcomes, content, trimmed(t), generation);
    }

    private static List<TraceEntry> trimmed(List<TraceEntry> t) {
        if (t.size() <= MAX_TRACE) {
            return t;
        }
        List<TraceEntry> rest = t.subList(TRACE_HEAD, t.size());
        int dropped = 0;
        if (rest.get(0).event().equals("trimmed")) { // an earlier trim's marker: its count goes on
            dropped = Integer.parseInt(rest.get(0).fields().getOrDefault("entries", "0"));
            rest = rest.subList(1, rest.size());
        }
        int keepTail = MAX_TRACE - TRACE_HEAD - 1;
        dropped += rest.size() - keepTail;
        List<TraceEntry> out = new java.util.ArrayList<>(t.subList(0, TRACE_HEAD));
        List<TraceEntry> tail = rest.subList(rest.size() - keepTail, rest.size());
        out.add(TraceEntry.of(tail.get(0).time(), "trimmed", "entries", Integer.toString(dropped)));
        out.addAll(tail);
        return out;
    }

    /** This progress with the chain's bookkeeping cleared (its bindings all ran): a later chain starts afresh. */
    public Progress chainEnded() {
        return done.isEmpty() ? this : new Progress(List.of(), notes, outcomes, content, trace, generation);
    }

    /**
     * A replaced content: the file {@code name} in the queue folder, {@code length} bytes, holding the
     * whole message (header section and body).
     */
    public record ContentFile(String name, long length) {
    }
}
