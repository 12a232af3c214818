package dev.mailroot.server.spool;

import dev.mailroot.sink.Source;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The envelope of a spooled message as stored: immutable. Sinks work on a mutable copy.
 *
 * @param mailFrom       envelope sender; empty for the null sender
 * @param recipients     envelope recipients still to be delivered
 * @param helo           HELO/EHLO name, or null (pickup)
 * @param clientAddress  SMTP client IP, or null (pickup)
 * @param arrivalTime    when the message was accepted
 * @param source         how it arrived
 * @param pickupFileName the pickup file's name, or null (SMTP)
 * @param connector      the connector that handed the mail to pickup ({@code pop3-connector}), or null
 * @param connectorAccount the connector's account the mail was downloaded for, or null
 * @param authUser       the user the SMTP client authenticated as (AUTH), or null
 * @param outbound       where the remote recipients stand in the outbound queue, or null while the
 *                       message has not reached it
 */
public record SpoolEnvelope(String mailFrom, List<String> recipients, String helo, String clientAddress,
                            Instant arrivalTime, Source source, String pickupFileName, String connector,
                            String connectorAccount, String authUser, OutboundState outbound) {
    public SpoolEnvelope {
        Objects.requireNonNull(mailFrom, "mailFrom");
        Objects.requireNonNull(arrivalTime, "arrivalTime");
        Objects.requireNonNull(source, "source");
        recipients = List.copyOf(recipients);
    }

    /** Mail that no authenticated client sent, not yet in the outbound queue. */
    public SpoolEnvelope(String mailFrom, List<String> recipients, String helo, String clientAddress,
                         Instant arrivalTime, Source source, String pickupFileName, String connector,
                         String connectorAccount) {
        this(mailFrom, recipients, helo, clientAddress, arrivalTime, source, pickupFileName, connector, connectorAccount,
                null, null);
    }

    /** Mail that no connector handed over. */
    public SpoolEnvelope(String mailFrom, List<String> recipients, String helo, String clientAddress,
                         Instant arrivalTime, Source source, String pickupFileName) {
        this(mailFrom, recipients, helo, clientAddress, arrivalTime, source, pickupFileName, null, null);
    }

    /** The name a {@code SOURCE=} rule clause matches: the connector's, else the source's ({@code smtp}, {@code pickup}, {@code sink}). */
    public String sourceName() {
        return connector != null ? connector : source.wireName();
    }

    public SpoolEnvelope withRecipients(List<String> newRecipients) {
        return new SpoolEnvelope(mailFrom, newRecipients, helo, clientAddress, arrivalTime, source, pickupFileName,
                connector, connectorAccount, authUser, outbound);
    }

    public SpoolEnvelope with(String newMailFrom, List<String> newRecipients) {
        return new SpoolEnvelope(newMailFrom, newRecipients, helo, clientAddress, arrivalTime, source, pickupFileName,
                connector, connectorAccount, authUser, outbound);
    }

    /** This envelope with the authenticated user set. */
    public SpoolEnvelope withAuthUser(String user) {
        return new SpoolEnvelope(mailFrom, recipients, helo, clientAddress, arrivalTime, source, pickupFileName,
                connector, connectorAccount, user, outbound);
    }

    /** This envelope in the outbound queue: its recipients are the state's. */
    public SpoolEnvelope withOutbound(OutboundState state) {
        return new SpoolEnvelope(mailFrom, state.addresses(), helo, clientAddress, arrivalTime, source, pickupFileName,
                connector, connectorAccount, authUser, state);
    }
}
