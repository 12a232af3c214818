package dev.mailroot.server.delivery;

import java.util.Objects;

/**
 * What became of one recipient of a message handed to an LMTP server ({@link LmtpClient}).
 *
 * <p>{@code code}, {@code enhancedStatus} and {@code text} are the server's reply to this
 * recipient: its {@code RCPT TO} reply when the server refused it there, otherwise its own reply
 * after the message's final dot (RFC 2033 §4.2), or the reply to {@code MAIL FROM} or {@code DATA}
 * when that refused the whole message. When no reply came (the connection failed, was lost or timed
 * out, the server broke the protocol, or the address could not be sent), {@code code} is {@code 0},
 * {@code enhancedStatus} is Mailroot's own (RFC 3463: {@code 4.4.1} no connection, {@code 4.4.2}
 * connection lost or timed out, {@code 4.5.0} protocol error, {@code 5.1.3}/{@code 5.1.7} an
 * address that cannot be written in a command, {@code 5.6.7} a non-ASCII address the server cannot
 * take) and {@code text} says why.
 *
 * @param recipient      the address as the caller gave it
 * @param code           the reply code, or 0 when the server gave none
 * @param enhancedStatus the enhanced status code ({@code 2.0.0}), or {@code ""} when the server's
 *                       reply had none
 * @param text           the reply text after the codes; the lines of a multi-line reply joined
 *                       with {@code "\n"}
 * @param kind           what the caller should do with the recipient
 */
public record LmtpOutcome(String recipient, int code, String enhancedStatus, String text, Kind kind) {

    /** What a recipient's reply means for its delivery. */
    public enum Kind {
        /** The server took responsibility for the recipient's copy (a 2xx reply). */
        DELIVERED,
        /** Not delivered for now: try again later (a 4xx reply, or no reply at all). */
        TEMPORARY,
        /** Never deliverable this way: give up (a 5xx reply). */
        PERMANENT
    }

    public LmtpOutcome {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(kind, "kind");
    }

    /** The reply as one line, the way a log or a bounce shows it: {@code 552 5.2.2 Quota exceeded}. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (code != 0) {
            s.append(code).append(' ');
        }
        if (!enhancedStatus.isEmpty()) {
            s.append(enhancedStatus).append(' ');
        }
        return s.append(text.replace('\n', ' ')).toString();
    }
}
