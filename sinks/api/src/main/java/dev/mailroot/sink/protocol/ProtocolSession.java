package dev.mailroot.sink.protocol;

import dev.mailroot.sink.Notes;
import dev.mailroot.sink.Source;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The conversation a protocol event belongs to: an SMTP session, or, for mail that arrived
 * without one (pickup, a connector, a sink's {@code send}), a session the server builds from the
 * message's envelope so the same bindings judge it the same way. Read-only but for its notes.
 * Valid only during the call.
 */
public interface ProtocolSession {

    /** An id for log lines: the SMTP session's, or the message id for mail without a session. */
    String sessionId();

    /** How the mail arrives: {@link Source#SMTP}, {@link Source#PICKUP} (connectors too) or {@link Source#SINK}. */
    Source source();

    /**
     * The name a {@code SOURCE=} rule matches: {@code smtp}, {@code pickup}, {@code sink}, or the
     * connector that handed the mail to pickup ({@code pop3-connector}).
     */
    String sourceName();

    /** Whether this is a real SMTP conversation (replies reach a client) rather than one built from an envelope. */
    default boolean isSmtp() {
        return source() == Source.SMTP;
    }

    /** The connector account the mail was downloaded for, for connector mail. */
    Optional<String> connectorAccount();

    /**
     * The client's address: the SMTP client, or where known for other mail (the address a
     * connector recorded for the download). Empty when unknown.
     */
    Optional<InetAddress> clientAddress();

    /** The HELO/EHLO name, once given; empty before OnHelo and for mail without a session. */
    Optional<String> heloName();

    /** The envelope sender once MAIL FROM was accepted ({@code ""} for the null sender); empty before. */
    Optional<String> mailFrom();

    /** The recipients accepted so far in this transaction, in order. */
    List<String> recipients();

    /** Whether the session is encrypted (STARTTLS, or a listener with implicit TLS); false for mail without a session. */
    boolean tls();

    /**
     * The user the client authenticated as with SMTP AUTH (the login name as given, lower case),
     * from the successful AUTH on; empty before, for anonymous sessions and for mail without a session.
     */
    default Optional<String> authenticatedUser() {
        return Optional.empty();
    }

    /**
     * Notes shared by the protocol sinks of this session (set at OnConnect, read at OnEndOfData);
     * they are copied into every message of the session, where OnSubmission sinks read them with
     * {@code submission.notes()}.
     */
    Notes notes();
}
