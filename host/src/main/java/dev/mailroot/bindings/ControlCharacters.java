package dev.mailroot.bindings;

/**
 * Control characters in user-supplied text (file names, addresses, binding names, remote servers'
 * replies), shown escaped wherever such text reaches a log line or a terminal: a newline cannot
 * start a forged log line, an ESC cannot drive the reader's terminal.
 *
 * <p>Escaped: C0 controls, DEL and C1 controls ({@code \n}, {@code \r}, {@code \t}, others as
 * {@code \x1b}), the Unicode line and paragraph separators and the bidirectional-text controls
 * (as {@code \u2028}). Everything else, backslashes included, is left as it is: the escapes are
 * for reading, not for decoding.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    /** Whether {@code c} is shown escaped. */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028' || c == '\u2029'
                || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }

    /** The index of the first control character in {@code text}, or -1 if none (or {@code text} is null). */
    public static int indexOf(String text) {
        if (text == null) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code text} with each control character replaced by its visible escape; the same instance if it has none. */
    public static String escape(String text) {
        int first = indexOf(text);
        if (first < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                b.append(escape(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The visible escape of one control character: {@code \n}, {@code \r}, {@code \t}, {@code \x1b}, {@code \u2028}. */
    public static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
        };
    }
}
