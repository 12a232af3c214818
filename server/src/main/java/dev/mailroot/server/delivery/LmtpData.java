package dev.mailroot.server.delivery;

import dev.mailroot.server.message.MessageContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A message as it goes after {@code DATA} (RFC 5321 §4.5.2, RFC 2033): every line ending written
 * as CRLF, a line that starts with {@code "."} given a second one, then the final {@code "."}.
 *
 * <p>A bare LF (pickup files, mail from sinks) and a bare CR both end a line here. Sending a bare
 * one as it is would let the message's own bytes decide where its data ends for a server that
 * reads either as a line end (the "SMTP smuggling" of CVE-2023-51764/51765/51766): with every line
 * end a CRLF and every leading dot doubled, nothing in the message can end it early.
 */
final class LmtpData {
    private static final int CHUNK = 64 * 1024;

    private LmtpData() {
    }

    /** Whether the message has a byte above 127 (then it goes with {@code BODY=8BITMIME}). */
    static boolean eightBit(MessageContent message) throws IOException {
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

    /** Sends the message, dot-stuffed with CRLF line ends, and the final dot. */
    static void send(MessageContent message, LmtpConnection to) throws IOException {
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

    private static InputStream open(MessageContent message) throws LmtpClient.LocalReadException {
        try {
            return message.open();
        } catch (IOException e) {
            throw new LmtpClient.LocalReadException(e);
        }
    }

    private static int read(InputStream in, byte[] buf) throws LmtpClient.LocalReadException {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new LmtpClient.LocalReadException(e);
        }
    }
}
