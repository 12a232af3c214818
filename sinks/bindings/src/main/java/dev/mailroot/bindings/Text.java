package dev.mailroot.bindings;

/** Text that came from outside (file names, binding names, addresses), made safe to print. */
public final class Text {
    private Text() {
    }

    /**
     * {@code s} with every control character shown instead of acting: {@code \n}, {@code \r},
     * {@code \t}, {@code \xNN} for the other C0 and C1 controls and DEL, {@code \u2028} and
     * {@code \u2029} for the Unicode line and paragraph separators. A line printed with it stays one
     * line, and no escape sequence reaches a terminal. Null stays null.
     */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !isControl(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }

    /** Whether {@code s} holds a character {@link #escape} would show escaped. */
    public static boolean hasControl(String s) {
        return s != null && s.chars().anyMatch(c -> isControl((char) c));
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
