package dev.mailroot.sink.protocol;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-line SMTP reply a protocol sink chooses: a {@code 4xx} or {@code 5xx} code, an RFC 3463
 * enhanced status code whose class matches the code's first digit, and printable ASCII text.
 * Validated when made, so a sink cannot send a client something that breaks the conversation
 * (a CR or LF in the text would make two replies of one and put the client one reply behind).
 *
 * <pre>{@code
 * SmtpReply.of(550, "5.7.1", "mail from this network is refused")   // 550 5.7.1 mail from ...
 * SmtpReply.parse("451 4.7.1 try again later")
 * }</pre>
 *
 * @param code     400..599
 * @param enhanced {@code class.subject.detail}, class equal to the code's first digit
 * @param text     printable US-ASCII, may be empty
 */
public record SmtpReply(int code, String enhanced, String text) {
    /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF. */
    public static final int MAX_LINE = 510;
    private static final Pattern ENHANCED = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern LINE = Pattern.compile("(\\d{3})[ ]([245]\\.\\d{1,3}\\.\\d{1,3})(?: (.*))?");

    public SmtpReply {
        Objects.requireNonNull(enhanced, "enhanced status code");
        text = text == null ? "" : text.strip();
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("reply code " + code + " is not 4xx or 5xx (a sink refuses with 4xx or 5xx)");
        }
        Matcher m = ENHANCED.matcher(enhanced);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + printable(enhanced) + "' is not an enhanced status code class.subject.detail (RFC 3463)");
        }
        if (m.group(1).charAt(0) != Integer.toString(code).charAt(0)) {
            throw new IllegalArgumentException("enhanced status code " + enhanced + " does not match reply code " + code
                    + " (RFC 3463: " + (code / 100) + ".x.x with " + (code / 100) + "xx)");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("reply text contains " + (c == '\r' || c == '\n' ? "a line break"
                        : "the character " + printable(String.valueOf(c))) + " at position " + (i + 1)
                        + "; a reply is one line of printable ASCII");
            }
        }
        int length = 4 + enhanced.length() + (text.isEmpty() ? 0 : 1 + text.length());
        if (length > MAX_LINE) {
            throw new IllegalArgumentException("reply is " + length + " characters long; at most " + MAX_LINE);
        }
    }

    /** A validated reply; throws {@link IllegalArgumentException} saying what is wrong. */
    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, text);
    }

    /** Parses {@code "550 5.7.1 text"}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static SmtpReply parse(String line) {
        Matcher m = LINE.matcher(line == null ? "" : line.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + printable(String.valueOf(line))
                    + "' is not a reply 'CODE X.Y.Z text' (for example '550 5.7.1 refused')");
        }
        return new SmtpReply(Integer.parseInt(m.group(1)), m.group(2), m.group(3));
    }

    /** Whether this is a temporary refusal (4xx): the client may try again. */
    public boolean isTemporary() {
        return code < 500;
    }

    /** The reply as sent: {@code 550 5.7.1 text}. */
    @Override
    public String toString() {
        return code + " " + enhanced + (text.isEmpty() ? "" : " " + text);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
