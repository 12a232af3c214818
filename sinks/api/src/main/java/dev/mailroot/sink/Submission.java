package dev.mailroot.sink;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * One accepted message as the OnSubmission sinks see it. The dispatcher hands the same submission
 * to every matching sink in turn, so a sink sees what the sinks before it changed.
 *
 * <p>Everything a sink changes (envelope, headers, body or whole message, notes, fates) is written
 * to the spool after the chain, before delivery, and is undone if the call fails or overruns its
 * time limit. Mail a sink {@linkplain #send sends} is not undone: it is a message of its own.
 *
 * <p>A submission is used by one thread at a time and is valid only during the sink call that
 * received it; do not keep it.
 */
public interface Submission {
    /** The message id: unique, and present in every log line about the message. */
    String id();

    /** How the message arrived. */
    Source source();

    /** The envelope, which the sink may change. */
    Envelope envelope();

    /** The header section, which the sink may change. */
    Headers headers();

    /**
     * The body (everything after the blank line that ends the header section) as it is now. Each
     * call returns a new stream positioned at the start of the body; the caller closes it.
     */
    InputStream body() throws IOException;

    /**
     * The whole message as it is now: the current header section, the blank line, the current body.
     * Each call returns a new stream; the caller closes it. Streamed from the spool, never held in
     * memory whole.
     */
    InputStream content() throws IOException;

    /** The size in bytes of the message as it was spooled (headers and body). */
    long size();

    /**
     * A Jakarta Mail view of the message with its current headers and body, parsed on each call. It is a
     * read-only view: changing it changes nothing in the message; use {@link #headers()},
     * {@link #replaceBody()} and {@link #envelope()} for that.
     */
    MimeMessage mimeMessage() throws MessagingException, IOException;

    /**
     * Replaces the body: write the new body to the returned stream and close it; the header section
     * stays as it is (set {@code Content-Type} and {@code Content-Transfer-Encoding} through
     * {@link #headers()} if they change). The bytes go to a spool file as they are written, so a
     * body of any size costs no memory. Until the stream is closed the message keeps its old body;
     * a stream not closed when the call ends is discarded. Use the message's line ending
     * ({@code CRLF} for SMTP mail).
     */
    OutputStream replaceBody() throws IOException;

    /**
     * Replaces the whole message, header section and body: write it to the returned stream and close
     * it. As {@link #replaceBody()}; the header section is read anew from what was written.
     */
    OutputStream replaceMessage() throws IOException;

    /** The notes on this message: typed attributes for later sinks, kept in the spool. */
    Notes notes();

    /** The current fate; {@link Fate#deliver()} unless a sink changed it. */
    Fate fate();

    /**
     * Sets the fate. Setting any fate other than {@link Fate.Kind#DELIVER} ends the chain after this
     * sink, whatever status it returns.
     */
    void setFate(Fate fate);

    /**
     * Decides the fate of one recipient while the others go on: it leaves the envelope at once and
     * its outcome is recorded. If no recipient is left the message's journey ends with these
     * outcomes.
     *
     * @return false if {@code recipient} is not a recipient now (nothing changes)
     */
    boolean setRecipientFate(String recipient, RecipientFate fate);

    /** The recipients given a fate so far, by any sink of this chain, in the order decided. */
    Map<String, RecipientFate> recipientFates();

    /**
     * Sends a new message (a notification, a copy to an archive): it enters the server as pickup mail
     * does, durably, with an id of its own and source {@link Source#SINK}, and passes the
     * OnSubmission sinks like any message. It is sent at once and not undone if this call fails.
     *
     * @param mailFrom   the envelope sender ({@code ""} for the null sender, the right choice for an
     *                   automatic notification)
     * @param recipients the envelope recipients, at least one
     * @param content    writes the whole message; a {@code Message-ID} and {@code Date} are added if it
     *                   has none
     * @return the new message's id
     * @throws MailLoopException        if the new message would continue a loop of sink mail (see there)
     * @throws IllegalArgumentException if an address is not plausible or there is no recipient
     * @throws IOException              if it could not be spooled (nothing was sent)
     */
    String send(String mailFrom, List<String> recipients, MessageWriter content) throws IOException;
}
