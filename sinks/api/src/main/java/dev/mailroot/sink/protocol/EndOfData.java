package dev.mailroot.sink.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The whole message at the end of DATA, before the final reply (or, for mail without a session,
 * before its OnSubmission sinks). Headers added here are written with the message, so they are durable
 * with it and every later sink sees them.
 */
public interface EndOfData {

    /** The envelope sender; {@code ""} for the null sender. */
    String mailFrom();

    /** The accepted recipients. */
    List<String> recipients();

    /** The message's size in bytes, as received (with the server's {@code Received:} field). */
    long size();

    /** The first header field of this name (any case), unfolded; empty if absent. */
    Optional<String> header(String name);

    /** Every header field of this name (any case), unfolded, in order. */
    List<String> headers(String name);

    /** The whole message as received (header section and body), streamed; close it. */
    InputStream content() throws IOException;

    /**
     * Adds a header field at the top of the message (where {@code X-Spam-*} fields go), applied
     * unless the message is refused. Validated as {@code Headers.add} is: a name of printable
     * ASCII without a colon, a value without line breaks.
     *
     * @throws IllegalArgumentException if the name or value is not acceptable
     */
    void addHeader(String name, String value);

    /**
     * Removes every header field of this name (any case) from the message as it will be spooled,
     * those added by {@link #addHeader} before included: a content filter removes the
     * {@code X-Spam-*} fields a sender forged before it adds its own. Applied unless the message is
     * refused; {@link #header} and {@link #headers} no longer show them.
     *
     * @return how many fields are removed
     */
    int removeHeaders(String name);
}
