package dev.mailroot.server.message;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A message as it goes after {@code DATA} in SMTP and LMTP (RFC 5321 §4.5.2, RFC 2033): every line
 * ending written as CRLF, a line that starts with {@code "."} given a second one, then the final
 * {@code "."}. Shared by the LMTP client (local delivery) and the SMTP client (outbound).
 *
 * <p>A bare LF (pickup files, mail from sinks) and a bare CR both end a line here. Sending a bare
 * one as it is would let the message's own bytes decide where its data ends for a server that
 * reads either as a line end (the "SMTP smuggling" of CVE-2023-51764/51765/51766): with every line
 * end a CRLF and every leading dot doubled, nothing in the message can end it early.
 */
public final class DataStream {
    private static final int CHUNK = 64 * 1024;

    private DataStream() {
    }

    /** Where the encoded bytes go: a connection's write, which must write all of them. */
    @FunctionalInterface
    public interface Sink {
        /** Writes all remaining bytes of {@code bytes}. */
        void write(ByteBuffer bytes) throws IOException;
    }

    /**
     * Reading the message itself failed while sending it: the local store's problem, not the
     * peer's, so callers report it differently from a broken connection.
     */
    public static final class LocalReadException extends IOException {
        /** Wraps the read failure {@code cause}. */
        public LocalReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Whether the message has a byte above 127 (then it goes with {@code BODY=8BITMIME}). */
    public static boolean eightBit(MessageContent message) throws IOException {
        byte[] buf = new byte[CHUNK];
        try (InputStream in = message.open()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Sends the message, dot-stuffed with CRLF line ends, and the final dot. A failure to read the
     * message is a {@link LocalReadException}; any other exception comes from {@code to}.
     */
    public static void send(MessageContent message, Sink to) throws IOException {
        byte[] buf = new byte[CHUNK];
        // a line end in the source can become two bytes, a leading dot two: room for twice the chunk
        ByteBuffer out = ByteBuffer.allocate(2 * CHUNK + 8);
        boolean lineStart = true;
        boolean pendingCr = false;
        try (InputStream in = open(message)) {
            for (int n; (n = read(in, buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (pendingCr) {
                        pendingCr = false;
                        out.put((byte) '\r').put((byte) '\n');
                        lineStart = true;
                        if (b == '\n') {
                            continue;
                        }
                    }
                    if (b == '\r') {
                        pendingCr = true;
                    } else if (b == '\n') {
                        out.put((byte) '\r').put((byte) '\n');
                        lineStart = true;
                    } else {
                        if (lineStart && b == '.') {
                            out.put((byte) '.');
                        }
                        out.put(b);
                        lineStart = false;
                    }
                }
                to.write(out.flip());
                out.clear();
            }
        }
        if (pendingCr || !lineStart) {
            out.put((byte) '\r').put((byte) '\n');
        }
        out.put((byte) '.').put((byte) '\r').put((byte) '\n');
        to.write(out.flip());
    }

    private static InputStream open(MessageContent message) throws LocalReadException {
        try {
            return message.open();
        } catch (IOException e) {
            throw new LocalReadException(e);
        }
    }

    private static int read(InputStream in, byte[] buf) throws LocalReadException {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new LocalReadException(e);
        }
    }
}
