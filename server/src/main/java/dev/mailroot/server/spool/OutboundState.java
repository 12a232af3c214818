package dev.mailroot.server.spool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where a message's remote recipients stand in the outbound queue, kept in its envelope so that it
 * is durable with every record: one {@link Rcpt} per recipient still to be sent (a recipient leaves
 * the list once it is delivered or has failed for good), and whether the sender was warned of the
 * delay already.
 *
 * @param recipients  the recipients still queued, in envelope order
 * @param delayWarned whether the delay warning (a DSN with {@code Action: delayed}) went out
 */
public record OutboundState(List<Rcpt> recipients, boolean delayWarned) {

    /** How a queued recipient waits. */
    public enum Status {
        /** Sent at its next attempt time. */
        QUEUED,
        /** Held by the administrator ({@code queue hold}): never sent until released. */
        HELD
    }

    /**
     * One remote recipient in the queue.
     *
     * @param address     the address
     * @param destination the domain it is sent to (lower case), which decides the route
     * @param status      queued or held
     * @param attempts    how many delivery attempts failed for now
     * @param nextAttempt when it is due
     * @param lastReply   the last failure's reply ({@code 451 4.2.0 ...}), or null before the first attempt
     * @param lastHost    the host that gave it, or null
     */
    public record Rcpt(String address, String destination, Status status, int attempts, Instant nextAttempt,
                       String lastReply, String lastHost) {
        public Rcpt {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(nextAttempt, "nextAttempt");
        }

        /** A recipient queued for {@code at}, never tried. */
        public static Rcpt fresh(String address, Instant at) {
            int i = address.lastIndexOf('@');
            String domain = i < 0 ? "" : address.substring(i + 1).toLowerCase(Locale.ROOT);
            return new Rcpt(address, domain, Status.QUEUED, 0, at, null, null);
        }

        public Rcpt deferred(Instant next, String reply, String host) {
            return new Rcpt(address, destination, status, attempts + 1, next, reply, host);
        }

        public Rcpt withStatus(Status s) {
            return new Rcpt(address, destination, s, attempts, nextAttempt, lastReply, lastHost);
        }

        public Rcpt dueAt(Instant at) {
            return new Rcpt(address, destination, status, attempts, at, lastReply, lastHost);
        }
    }

    public OutboundState {
        recipients = List.copyOf(recipients);
    }

    /** The state with each recipient replaced by {@code f}'s result (null removes it). */
    public OutboundState map(UnaryOperator<Rcpt> f) {
        List<Rcpt> out = new ArrayList<>(recipients.size());
        for (Rcpt r : recipients) {
            Rcpt n = f.apply(r);
            if (n != null) {
                out.add(n);
            }
        }
        return new OutboundState(out, delayWarned);
    }

    public OutboundState withDelayWarned() {
        return new OutboundState(recipients, true);
    }

    /** The addresses still queued. */
    public List<String> addresses() {
        return recipients.stream().map(Rcpt::address).toList();
    }
}
