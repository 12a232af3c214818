package dev.mailroot.server.delivery;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reply from an LMTP server, all its lines read (RFC 5321 §4.2: {@code 250-...} continues,
 * {@code 250 ...} ends). The enhanced status code is taken from the first line when it is there and
 * its class matches the reply code's first digit (RFC 3463, RFC 2034 §3).
 */
record LmtpReply(int code, String enhancedStatus, String text, List<String> lines) {
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");

    static LmtpReply of(List<String> lines) {
        int code = Integer.parseInt(lines.get(0).substring(0, 3));
        String enhanced = "";
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String rest = line.length() > 4 ? line.substring(4) : "";
            Matcher m = ENHANCED.matcher(rest);
            if (m.find() && m.group(1).charAt(0) == Character.forDigit(code / 100, 10)) {
                if (enhanced.isEmpty()) {
                    enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
                }
                rest = rest.substring(m.end());
            }
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(rest);
        }
        return new LmtpReply(code, enhanced, text.toString(), List.copyOf(lines));
    }

    boolean positive() {
        return code / 100 == 2;
    }

    /** This reply as the outcome of {@code recipient}: 2xx delivered, 5xx permanent, anything else temporary. */
    LmtpOutcome outcome(String recipient) {
        LmtpOutcome.Kind kind = switch (code / 100) {
            case 2 -> LmtpOutcome.Kind.DELIVERED;
            case 5 -> LmtpOutcome.Kind.PERMANENT;
            default -> LmtpOutcome.Kind.TEMPORARY;
        };
        return new LmtpOutcome(recipient, code, enhancedStatus, text, kind);
    }

    /** The reply as the server wrote it, lines joined with a space: for failure texts. */
    String asSent() {
        return String.join(" ", lines);
    }
}
