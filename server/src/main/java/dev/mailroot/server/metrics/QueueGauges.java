package dev.mailroot.server.metrics;

import dev.mailroot.server.outbound.OutboundQueue;
import dev.mailroot.server.spool.OutboundState;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.tls.ServerKeys;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The gauges read from the spool and the outbound queue in memory at each scrape, and the certificate's expiry. */
public final class QueueGauges {
    private QueueGauges() {
    }

    /** Registers the spool's, the outbound queue's and the TLS certificate's gauges in {@code metrics}. */
    public static void register(ServerMetrics metrics, Spool spool, OutboundQueue outbound, ServerKeys keys, Clock clock) {
        metrics.gauges("mailroot.spool.messages", "Messages in the spool, by stage (submitted: before or in the sinks; "
                + "dispatched: past them, waiting for delivery or in the outbound queue)", null, "stage", () -> {
                    Map<String, Integer> n = new TreeMap<>(Map.of("submitted", 0, "dispatched", 0));
                    for (SpoolEntry e : spool.entries()) {
                        n.merge(e.stage().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
                    }
                    return n;
                });
        metrics.gauge("mailroot.spool.oldest.age", "Age of the oldest message in the spool (0 when empty)", "seconds", spool,
                s -> oldestAge(s.entries(), clock));
        metrics.gauges("mailroot.outbound.recipients", "Remote recipients in the outbound queue, by state (queued: not tried "
                + "yet; deferred: tried, waiting for a retry; held: held by the administrator)", null, "state", () -> {
                    Map<String, Integer> n = new TreeMap<>(Map.of("queued", 0, "deferred", 0, "held", 0));
                    for (SpoolEntry e : outbound.entries()) {
                        OutboundState st = e.envelope().outbound();
                        if (st == null) {
                            continue;
                        }
                        for (OutboundState.Rcpt r : st.recipients()) {
                            String state = r.status() == OutboundState.Status.HELD ? "held" : r.attempts() > 0 ? "deferred" : "queued";
                            n.merge(state, 1, Integer::sum);
                        }
                    }
                    return n;
                });
        metrics.gauge("mailroot.outbound.oldest.age", "Age of the oldest message in the outbound queue (0 when empty)", "seconds",
                outbound, o -> oldestAge(o.entries(), clock));
        if (keys != null) {
            metrics.gauge("mailroot.tls.certificate.expiry.timestamp", "When the TLS listeners' certificate expires (Unix time; "
                    + "NaN before a self-signed one is made)", "seconds", keys, k -> {
                        X509Certificate c = k.certificate();
                        return c == null ? Double.NaN : c.getNotAfter().getTime() / 1000.0;
                    });
        }
    }

    private static double oldestAge(Collection<SpoolEntry> entries, Clock clock) {
        Instant oldest = null;
        for (SpoolEntry e : entries) {
            Instant t = e.envelope().arrivalTime();
            oldest = oldest == null || t.isBefore(oldest) ? t : oldest;
        }
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }
}
