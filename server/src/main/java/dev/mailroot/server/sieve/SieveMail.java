package dev.mailroot.server.sieve;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The message a Sieve script is evaluated against, for one recipient: what the delivery stage
 * knows about it. Implemented by the caller; a script only reads it, on the calling thread.
 * {@link #of} makes one from an envelope and the message bytes.
 */
public interface SieveMail {

    /** The envelope sender ({@code MAIL FROM}), {@code ""} for the null sender {@code <>}. */
    String envelopeSender();

    /** The envelope recipient being delivered to: the mailbox's address, as {@code bob@example.com}. */
    String envelopeRecipient();

    /**
     * Every field of the header section named {@code name} (case-insensitive), in message order,
     * each value unfolded and without the leading white space; empty when there is none.
     * Values are as they arrived (RFC 2047 encoded words are decoded by the tests that need it).
     */
    List<String> headers(String name);

    /** The names of the fields in the header section, each once, as they were spelt. */
    List<String> headerNames();

    /** The size of the message in octets, as the {@code size} test compares it. */
    long size();

    /** The whole message (header section and body); only opened by tests that read the body. */
    InputStream content() throws IOException;

    /**
     * A {@code SieveMail} over a message held in memory: its header section is parsed once.
     *
     * @param sender    the envelope sender, {@code ""} for the null sender
     * @param recipient the envelope recipient being delivered to
     * @param message   the message bytes, CRLF or LF line ends
     */
    static SieveMail of(String sender, String recipient, byte[] message) {
        return MessageSieveMail.parse(sender, recipient, message);
    }
}
