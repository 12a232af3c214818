package dev.mailroot.sink;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.InputStream;

/**
 * One accepted message as the OnSubmission sinks see it. The dispatcher hands the same submission
 * to every matching sink in turn, so a sink sees what the sinks before it changed.
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
     * The body (everything after the blank line that ends the header section), as spooled. Each
     * call returns a new stream positioned at the start of the body; the caller closes it.
     */
    InputStream body() throws IOException;

    /** The size in bytes of the message as it was spooled (headers and body). */
    long size();

    /**
     * A Jakarta Mail view of the message with its current headers, parsed on each call. It is a
     * read-only view: changing it changes nothing in the message; use {@link #headers()} and
     * {@link #envelope()} for that.
     */
    MimeMessage mimeMessage() throws MessagingException, IOException;

    /** The current fate; {@link Fate#deliver()} unless a sink changed it. */
    Fate fate();

    /**
     * Sets the fate. Setting {@link Fate.Kind#ABORT_DELIVERY} or {@link Fate.Kind#BADMAIL} ends the
     * chain after this sink, whatever status it returns.
     */
    void setFate(Fate fate);
}
