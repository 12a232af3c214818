package dev.mailroot.pop3;

import java.util.Locale;

/**
 * A case-insensitive address pattern where {@code *} matches any run of characters (empty too).
 * Matching takes time linear in the value: the pattern is split into its literal parts once, and
 * each is found in turn (the first must start the value, the last end it).
 */
final class Wildcard {
    private final String pattern;
    private final String[] literals;

    Wildcard(String pattern) {
        this.pattern = pattern;
        this.literals = pattern.toLowerCase(Locale.ROOT).split("\\*", -1);
    }

    boolean matches(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        int last = literals.length - 1;
        if (last == 0) {
            return v.equals(literals[0]);
        }
        if (!v.startsWith(literals[0]) || v.length() < literals[0].length() + literals[last].length()) {
            return false;
        }
        int pos = literals[0].length();
        int end = v.length() - literals[last].length();
        for (int i = 1; i < last; i++) {
            int at = v.indexOf(literals[i], pos);
            if (at < 0 || at + literals[i].length() > end) {
                return false;
            }
            pos = at + literals[i].length();
        }
        return v.endsWith(literals[last]);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
