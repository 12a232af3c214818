package dev.mailroot.server.outbound;

import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.OutboundState;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who gets a delivery status notification (RFC 3464) from the outbound queue, and sending it:
 * a failure report to the sender for the recipients that failed, and one delay warning per
 * message. Never for the null sender, never for a message that is itself a notification, and
 * only for mail the sender is accountable to us for: sent by an authenticated user, or made here
 * (pickup, a sink, a forwarding's copy of local mail). Mail relayed anonymously gets none — its
 * failed copy goes to badmail, so no one can use Mailroot to send reports to forged senders
 * (backscatter). A notification is itself mail from the null sender, queued like any other.
 */
public final class Bounces implements OutboundQueue.Reports {
    private static final Logger log = LoggerFactory.getLogger(Bounces.class);

    /** Submits a notification (null sender) to {@code to} for the message {@code parent}; returns its id. */
    @FunctionalInterface
    public interface Submit {
        String submit(SpoolEntry parent, String to, byte[] message, String why) throws IOException;
    }

    private final String hostname;
    private final Submit submit;
    private final Clock clock;

    private final dev.mailroot.server.metrics.ServerMetrics metrics;

    public Bounces(String hostname, Submit submit, Clock clock) {
        this(hostname, submit, clock, dev.mailroot.server.metrics.ServerMetrics.disabled());
    }

    /** As above, counting each notification sent in {@code metrics} ({@code mailroot_dsn_sent_total}). */
    public Bounces(String hostname, Submit submit, Clock clock, dev.mailroot.server.metrics.ServerMetrics metrics) {
        this.metrics = metrics;
        this.hostname = hostname;
        this.submit = submit;
        this.clock = clock;
    }

    /** Why no notification may go for this message, or null if one may. */
    public static String refusal(SpoolEnvelope env, MessageContent content) throws IOException {
        if (env.mailFrom().isEmpty()) {
            return "the message has the null sender";
        }
        if (DeliveryStatusNotification.isDeliveryStatusNotification(content)) {
            return "the message is itself a delivery status notification";
        }
        if (env.source() == Source.SMTP && env.authUser() == null) {
            return "the message was not sent by an authenticated user";
        }
        return null;
    }

    @Override
    public boolean failed(SpoolEntry entry, SpoolEnvelope env, MessageContent content, List<OutboundQueue.Failure> failures) {
        List<DeliveryStatusNotification.RecipientStatus> rs = new ArrayList<>();
        for (OutboundQueue.Failure f : failures) {
            rs.add(new DeliveryStatusNotification.RecipientStatus(f.recipient(), null, "failed", f.reply().status(), f.host(),
                    f.reply().toString(), f.lastAttempt(), null));
        }
        return send(entry, env, content, DeliveryStatusNotification.Kind.FAILURE, rs);
    }

    @Override
    public void delayed(SpoolEntry entry, SpoolEnvelope env, MessageContent content, List<OutboundState.Rcpt> waiting,
                        Instant retryUntil) {
        List<DeliveryStatusNotification.RecipientStatus> rs = new ArrayList<>();
        for (OutboundState.Rcpt r : waiting) {
            String status = r.lastReply() != null && r.lastReply().matches("4\\d\\d 4\\.\\d{1,3}\\.\\d{1,3}.*")
                    ? r.lastReply().substring(4).split(" ", 2)[0] : "4.0.0";
            rs.add(new DeliveryStatusNotification.RecipientStatus(r.address(), null, "delayed", status, r.lastHost(),
                    r.lastReply(), clock.instant(), retryUntil));
        }
        send(entry, env, content, DeliveryStatusNotification.Kind.DELAY, rs);
    }

    private boolean send(SpoolEntry entry, SpoolEnvelope env, MessageContent content, DeliveryStatusNotification.Kind kind,
                         List<DeliveryStatusNotification.RecipientStatus> rs) {
        try {
            String no = refusal(env, content);
            if (no != null) {
                log.info("MR7012 no {} report to <{}>: {}", kind.name().toLowerCase(java.util.Locale.ROOT), env.mailFrom(), no);
                return false;
            }
            byte[] dsn = DeliveryStatusNotification.write(new DeliveryStatusNotification.Report(hostname, "MAILER-DAEMON@" + hostname,
                    kind, env.mailFrom(), null, entry.id(), env.arrivalTime(), rs, content, false, clock.instant()));
            String id = submit.submit(entry, env.mailFrom(), dsn, kind == DeliveryStatusNotification.Kind.FAILURE
                    ? "delivery failure report for " + entry.id() : "delay warning for " + entry.id());
            metrics.dsnSent(kind.name().toLowerCase(java.util.Locale.ROOT));
            log.info("MR7013 {} report for {} recipient(s) sent to <{}> as id={}", kind.name().toLowerCase(java.util.Locale.ROOT),
                    rs.size(), env.mailFrom(), id);
            return true;
        } catch (IOException | RuntimeException e) {
            log.error("MR7007 the {} report to <{}> could not be made: {}", kind.name().toLowerCase(java.util.Locale.ROOT),
                    env.mailFrom(), e.toString());
            return false;
        }
    }
}
