package dev.mailroot.server.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.server.spool.OutboundState;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.TraceEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The spool as the queue tools show it ({@code GET /queue}, {@code bin/mailroot queue}): one JSON
 * object per message, its recipients each with their state. Messages that are not in the outbound
 * queue (waiting for sinks or local delivery) are listed too, with the state {@code local}.
 *
 * <p>Fields: {@code id}, {@code messageId}, {@code sender}, {@code size}, {@code arrival},
 * {@code ageSeconds}, {@code authUser}, {@code recipients} [{@code address}, {@code destination},
 * {@code state} (queued, deferred, held, local), {@code attempts}, {@code nextAttempt},
 * {@code lastReply}, {@code lastHost}].
 */
public final class QueueView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QueueView() {
    }

    /** The messages as JSON lines, oldest first. */
    public static String lines(Collection<SpoolEntry> entries, Instant now) {
        StringBuilder sb = new StringBuilder();
        entries.stream().sorted(Comparator.comparing((SpoolEntry e) -> e.envelope().arrivalTime()).thenComparing(SpoolEntry::id))
                .forEach(e -> sb.append(json(e, now)).append('\n'));
        return sb.toString();
    }

    public static ObjectNode json(SpoolEntry e, Instant now) {
        SpoolEnvelope env = e.envelope();
        ObjectNode n = JSON.createObjectNode();
        n.put("id", e.id());
        String mid = messageId(e);
        if (mid != null) {
            n.put("messageId", mid);
        }
        n.put("sender", env.mailFrom());
        n.put("size", e.size());
        n.put("arrival", env.arrivalTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        n.put("ageSeconds", Math.max(0, Duration.between(env.arrivalTime(), now).toSeconds()));
        if (env.authUser() != null) {
            n.put("authUser", env.authUser());
        }
        ArrayNode rcpts = n.putArray("recipients");
        OutboundState st = env.outbound();
        if (st == null) {
            for (String r : env.recipients()) {
                ObjectNode o = rcpts.addObject();
                o.put("address", r);
                o.put("destination", OutboundQueue.LOCAL);
                o.put("state", "local");
                o.put("attempts", e.attempts());
            }
        } else {
            for (OutboundState.Rcpt r : st.recipients()) {
                ObjectNode o = rcpts.addObject();
                o.put("address", r.address());
                o.put("destination", r.destination());
                o.put("state", r.status() == OutboundState.Status.HELD ? "held" : r.attempts() > 0 ? "deferred" : "queued");
                o.put("attempts", r.attempts());
                o.put("nextAttempt", r.nextAttempt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                if (r.lastReply() != null) {
                    o.put("lastReply", r.lastReply());
                }
                if (r.lastHost() != null) {
                    o.put("lastHost", r.lastHost());
                }
            }
        }
        return n;
    }

    /** The Message-ID the message arrived with (from its trace), or null. */
    static String messageId(SpoolEntry e) {
        List<TraceEntry> trace = e.progress().trace();
        for (TraceEntry t : trace) {
            String mid = t.fields().get("messageId");
            if (mid != null) {
                return mid;
            }
        }
        return null;
    }
}
