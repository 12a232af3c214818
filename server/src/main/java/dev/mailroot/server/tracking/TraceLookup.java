package dev.mailroot.server.tracking;

import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.TraceEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Finds the messages in the spool that a query names (their id, or the {@code Message-ID} they
 * arrived with, with or without angle brackets) and gives their traces as tracking-log lines, the
 * last one saying where the message is now: what {@code GET /trace?q=} answers.
 */
public final class TraceLookup {
    private final Supplier<Collection<SpoolEntry>> spool;
    /** At most about this many lines are answered. */
    static final int MAX_LINES = 10_000;

    public TraceLookup(Supplier<Collection<SpoolEntry>> spool) {
        this.spool = spool;
    }

    /** The JSON lines of every message in the spool that {@code query} names; empty if none. */
    public List<String> lines(String query, Instant now) {
        List<String> out = new ArrayList<>();
        for (SpoolEntry e : spool.get()) {
            if (out.size() >= MAX_LINES) {
                break; // a Message-ID many messages share: the first ones are enough to go on
            }
            if (!matches(e, query)) {
                continue;
            }
            for (TraceEntry t : e.progress().trace()) {
                out.add(MessageTracking.line(e.id(), t));
            }
            out.add(MessageTracking.line(e.id(), TraceEntry.of(now, "in-spool", "stage", e.stage().name().toLowerCase(Locale.ROOT),
                    "recipients", String.join(",", e.envelope().recipients()),
                    "waiting", e.attempts() > 0 ? "retried later (" + e.attempts() + " attempt(s) so far)" : null)));
        }
        return out;
    }

    /** Whether {@code query} is {@code e}'s id or the Message-ID it arrived with. */
    static boolean matches(SpoolEntry e, String query) {
        if (e.id().equalsIgnoreCase(query)) {
            return true;
        }
        String wanted = bare(query);
        for (TraceEntry t : e.progress().trace()) {
            String mid = t.fields().get("messageId");
            if (mid != null && bare(mid).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** A Message-ID without its angle brackets and surrounding space. */
    public static String bare(String messageId) {
        String s = messageId.strip();
        if (s.startsWith("<") && s.endsWith(">") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }
}
