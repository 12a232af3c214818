package dev.mailroot.sink;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The SMTP envelope of a message: who sent it and to whom it goes, which is not always what its
 * headers say. A sink may change the sender and the recipients; the change is written to the spool
 * before the message goes on to delivery. The other fields are read-only facts about the arrival.
 *
 * <p>Addresses are plain {@code local@domain} strings without angle brackets. The null sender
 * ({@code MAIL FROM:<>}, used by bounces) is the empty string. Recipients keep their order and are
 * unique, compared case-insensitively.
 *
 * <p>An envelope belongs to one message and is used by one thread at a time; it is not thread-safe.
 */
public interface Envelope {

    /** The envelope sender ({@code MAIL FROM}); the empty string for the null sender. */
    String mailFrom();

    /**
     * Replaces the envelope sender.
     *
     * @throws IllegalArgumentException if {@code address} is not a plausible address (see
     *                                  {@link #recipients()} for what is refused)
     */
    void setMailFrom(String address);

    /** The recipients ({@code RCPT TO}), in order; an unmodifiable snapshot. */
    List<String> recipients();

    /**
     * Adds a recipient at the end.
     *
     * @return false if it was already a recipient (nothing changes)
     * @throws IllegalArgumentException if {@code address} is empty, longer than 320 characters, or
     *                                  contains white space, control characters or angle brackets
     */
    boolean addRecipient(String address);

    /**
     * Removes a recipient.
     *
     * @return false if it was not a recipient
     */
    boolean removeRecipient(String address);

    /**
     * Replaces {@code address} by {@code replacement}, keeping its position. If the replacement is
     * already a recipient, {@code address} is just removed.
     *
     * @return false if {@code address} was not a recipient
     * @throws IllegalArgumentException if {@code replacement} is not a plausible address
     */
    boolean replaceRecipient(String address, String replacement);

    /**
     * Replaces all recipients (duplicates are dropped).
     *
     * @throws IllegalArgumentException if any address is not a plausible address
     */
    void setRecipients(Collection<String> addresses);

    /** The name the SMTP client gave in HELO/EHLO; empty for pickup mail. */
    Optional<String> helo();

    /** The SMTP client's IP address as text ({@code 127.0.0.1}, {@code ::1}); empty for pickup. */
    Optional<String> clientAddress();

    /** When the message was accepted (the moment it became durable in the spool). */
    Instant arrivalTime();

    /** The name the file had in the pickup directory; empty for SMTP mail. */
    Optional<String> pickupFileName();

    /**
     * The user the SMTP client authenticated as ({@code AUTH}), as it logged in; empty for anonymous
     * SMTP sessions, pickup and sink mail.
     */
    default Optional<String> authenticatedUser() {
        return Optional.empty();
    }
}
