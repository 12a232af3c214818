package dev.mailroot.server.tracking;

import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.TraceEntry;


import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
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
        return lines(SearchQuery.of(query), now);
    }

    /** The JSON lines of every message in the spool that {@code query} matches; empty if none. */
    public List<String> lines(SearchQuery query, Instant now) {
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

    /** Whether {@code e} matches {@code q}: its id or arrival Message-ID, envelope, subject and arrival time. */
    static boolean matches(SpoolEntry e, SearchQuery q) {
        if (q.id() != null && !matches(e, q.id())) {
            return false;
        }
        Map<String, String> received = received(e);
        return q.matches(List.of(e.envelope().mailFrom()), e.envelope().recipients(), received.get("subject"),
                e.envelope().arrivalTime());
    }

    /** {@code e} as a search hit: in the outbound queue once it reached it, else in the spool. */
    static MessageSearch.Hit hit(SpoolEntry e, Path queueDir) {
        Map<String, String> received = received(e);
        boolean outbound = e.envelope().outbound() != null;
        return new MessageSearch.Hit(outbound ? "queue" : "spool", e.id(), queueDir, e.envelope().arrivalTime(),
                e.envelope().mailFrom(), e.envelope().recipients(), received.get("subject"), received.get("messageId"),
                outbound ? "in the outbound queue, " + e.attempts() + " attempt(s)"
                        : "stage " + e.stage().name().toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> received(SpoolEntry e) {
        for (TraceEntry t : e.progress().trace()) {
            if (t.event().equals("received")) {
                return t.fields();
            }
        }
        return Map.of();
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
