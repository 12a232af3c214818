package dev.mailroot.host.message;

import java.util.Locale;

/**
 * What a sink may put into a message, checked once for the server and for the testkit alike: an
 * envelope address, a header name, a header value. Each check throws {@link IllegalArgumentException}
 * with a one-line reason; control characters in the reason are made visible.
 */
public final class MessageRules {
    /** The longest address accepted (RFC 5321's path limit, generously). */
    public static final int MAX_ADDRESS = 320;

    private MessageRules() {
    }

    /** Refuses what cannot be an SMTP path: empty, overlong, white space, controls, angle brackets. */
    public static void checkAddress(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("address is empty");
        }
        if (address.length() > MAX_ADDRESS) {
            throw new IllegalArgumentException("address is longer than " + MAX_ADDRESS + " characters");
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>') {
                throw new IllegalArgumentException("address '" + address.replaceAll("\\p{Cntrl}", "?")
                        + "' contains white space, a control character or an angle bracket");
            }
        }
    }

    /** Refuses header names that are not printable ASCII without colon (RFC 5322 §2.2). */
    public static void checkHeaderName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                throw new IllegalArgumentException("header name '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' has a character not allowed in a name");
            }
        }
    }

    /** Refuses header values that would break the header section: CR, LF or NUL. */
    public static void checkHeaderValue(String value) {
        if (value == null) {
            throw new IllegalArgumentException("header value is null");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("header value contains CR, LF or NUL: "
                    + value.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0").toLowerCase(Locale.ROOT));
        }
    }
}
