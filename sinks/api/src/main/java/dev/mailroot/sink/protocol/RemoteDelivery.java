package dev.mailroot.sink.protocol;

import java.util.List;
import java.util.Optional;

/** One outbound attempt as an {@link OnRemoteDeliverySink} sees it. */
public interface RemoteDelivery {
    /** The Mailroot message id (as in the logs, {@code bin/mailroot trace} and {@code queue list}). */
    String id();

    /** The destination: the recipients' domain, lower case. */
    String destination();

    /** The envelope sender; empty for the null sender (a delivery status notification). */
    String mailFrom();

    /** The recipients of this attempt, all of {@link #destination()}. */
    List<String> recipients();

    /** How many attempts for these recipients failed before this one (0: the first). */
    int previousAttempts();

    /** The user the message's SMTP client authenticated as, if it did. */
    Optional<String> authenticatedUser();

    /** The first value of header field {@code name} (any case) of the message as it is now, unfolded. */
    Optional<String> header(String name);

    /** Every header field of the message as it is now, as {@code Name: value} lines (unfolded), in order. */
    List<String> headers();

    /**
     * Adds a header field on top of the message for this attempt (a {@code DKIM-Signature}, say);
     * later sinks of the event see it in {@link #header}.
     *
     * @throws IllegalArgumentException if the name is not a field name or the value has a bare CR/LF or NUL
     */
    void addHeader(String name, String value);
}
