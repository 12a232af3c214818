package dev.mailroot.server.delivery;

import dev.mailroot.server.message.DataStream;
import dev.mailroot.server.message.MessageContent;

import java.io.IOException;

/**
 * A message as it goes after LMTP's {@code DATA}: the shared encoding of {@link DataStream} (CRLF
 * line ends, dot-stuffing, the final dot), with a failure to read the message reported as
 * {@link LmtpClient.LocalReadException}.
 */
final class LmtpData {
    private LmtpData() {
    }

    /** Whether the message has a byte above 127 (then it goes with {@code BODY=8BITMIME}). */
    static boolean eightBit(MessageContent message) throws IOException {
        return DataStream.eightBit(message);
    }

    /** Sends the message, dot-stuffed with CRLF line ends, and the final dot. */
    static void send(MessageContent message, LmtpConnection to) throws IOException {
        try {
            DataStream.send(message, to::write);
        } catch (DataStream.LocalReadException e) {
            throw new LmtpClient.LocalReadException((IOException) e.getCause());
        }
    }
}
