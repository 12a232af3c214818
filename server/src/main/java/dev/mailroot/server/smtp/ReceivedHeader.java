package dev.mailroot.server.smtp;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formats the one {@code Received:} field Mailroot adds to a message it accepts over SMTP. */
final class ReceivedHeader {
    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private ReceivedHeader() {
    }

    /**
     * {@code Received: from <helo> ([<ip>]) [(authenticated as <user>)] by <host> (Mailroot) with
     * ESMTP[S][A] id <id> [for <rcpt>]; <date>}, folded over three lines. The protocol word is RFC
     * 3848's: {@code S} for TLS, {@code A} for AUTH. The recipient is named only when there is
     * exactly one, as Postfix does, so a message to several people does not reveal the others.
     *
     * @param tls      whether the session was encrypted
     * @param authUser the authenticated user, or null
     */
    static byte[] format(String helo, String clientIp, String hostname, String id, String singleRecipient,
                         ZonedDateTime when, boolean tls, String authUser) {
        StringBuilder sb = new StringBuilder(200);
        sb.append("Received: from ").append(helo == null ? "unknown" : clean(helo))
                .append(" ([").append(clientIp).append("])");
        if (authUser != null) {
            sb.append(" (authenticated as ").append(clean(authUser)).append(')');
        }
        sb.append("\r\n")
                .append("\tby ").append(hostname).append(" (Mailroot) with ESMTP").append(tls ? "S" : "")
                .append(authUser != null ? "A" : "").append(" id ").append(id);
        if (singleRecipient != null) {
            sb.append("\r\n\tfor <").append(clean(singleRecipient)).append('>');
        }
        sb.append("; ").append(RFC5322.format(when)).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Keeps client-supplied text from breaking the field: no controls, no parentheses, bounded. */
    private static String clean(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 255));
        for (int i = 0; i < s.length() && out.length() < 255; i++) {
            char c = s.charAt(i);
            out.append(c < 0x21 || c == 0x7f || c == '(' || c == ')' || c == ';' ? '_' : c);
        }
        return out.toString();
    }
}
