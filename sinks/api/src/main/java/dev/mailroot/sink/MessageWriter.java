package dev.mailroot.sink;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a whole message (header section, blank line, body) for
 * {@link Submission#send(String, java.util.List, MessageWriter)}, streamed, so a large message is
 * never held in memory.
 */
@FunctionalInterface
public interface MessageWriter {
    /** Writes the message to {@code out}; do not close it. */
    void writeTo(OutputStream out) throws IOException;
}
