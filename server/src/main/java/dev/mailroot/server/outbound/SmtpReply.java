package dev.mailroot.server.outbound;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reply of an SMTP server, or one Mailroot made up for a failure that had no reply (a refused
 * connection, a lost one, a DNS failure). What the queue records per recipient, what
 * {@code queue show} prints and what a bounce quotes as its {@code Diagnostic-Code}.
 *
 * @param code     the three-digit reply code
 * @param enhanced the RFC 3463 enhanced status code ({@code "5.1.1"}), or {@code null} when the
 *                 reply had none
 * @param text     the text after the codes; the lines of a multi-line reply joined with a space
 */
public record SmtpReply(int code, String enhanced, String text) {
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");

    /** Checks the code is a reply code and the enhanced code, when given, matches its class. */
    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("not an SMTP reply code: " + code);
        }
        Objects.requireNonNull(text, "text");
        if (enhanced != null && (!ENHANCED.matcher(enhanced).find() || enhanced.charAt(0) - '0' != code / 100)) {
            throw new IllegalArgumentException("enhanced status " + enhanced + " does not fit reply code " + code);
        }
    }

    /** A reply Mailroot makes up itself: {@code of(451, "4.4.1", "mx.example.org: connection refused")}. */
    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, text);
    }

    /**
     * Parses the lines of one reply as read ({@code 250-first}, {@code 250 last}, without CRLF).
     * The enhanced code is taken from the first line when it is there and its class matches the
     * reply code's (RFC 2034 §3); it is removed from every line that repeats it.
     *
     * @throws IllegalArgumentException when the lines are not one reply
     */
    public static SmtpReply parse(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no reply lines");
        }
        String first = lines.get(0);
        if (first.length() < 3 || !first.substring(0, 3).chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a reply line: " + first);
        }
        int code = Integer.parseInt(first.substring(0, 3));
        String enhanced = null;
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String rest = line.length() > 4 ? line.substring(4) : "";
            Matcher m = ENHANCED.matcher(rest);
            if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
                if (enhanced == null) {
                    enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
                }
                rest = rest.substring(m.end());
            }
            if (text.length() > 0 && !rest.isEmpty()) {
                text.append(' ');
            }
            text.append(rest);
        }
        return new SmtpReply(code, enhanced, text.toString());
    }

    /** The enhanced status code, or one made from the reply's class ({@code 4.0.0}, {@code 5.0.0}) when it had none. */
    public String status() {
        return enhanced != null ? enhanced : code / 100 + ".0.0";
    }

    /** A 2xx reply: the server accepted. */
    public boolean positive() {
        return code / 100 == 2;
    }

    /** A 4xx reply: not now, try again later. */
    public boolean transientFailure() {
        return code / 100 == 4;
    }

    /** A 5xx reply: never this way, give up. */
    public boolean permanent() {
        return code / 100 == 5;
    }

    /** The reply as one line, the way a log, {@code queue show} or a bounce shows it: {@code 550 5.1.1 text}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(code);
        if (enhanced != null) {
            s.append(' ').append(enhanced);
        }
        if (!text.isEmpty()) {
            s.append(' ').append(text);
        }
        return s.toString();
    }
}
