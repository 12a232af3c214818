package dev.mailroot.pop3;

import java.util.Locale;

/** A case-insensitive address pattern where {@code *} matches any run of characters. */
record Wildcard(String pattern) {

    boolean matches(String value) {
        return match(pattern.toLowerCase(Locale.ROOT), 0, value.toLowerCase(Locale.ROOT), 0);
    }

    private static boolean match(String p, int pi, String v, int vi) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                while (pi < p.length() && p.charAt(pi) == '*') {
                    pi++;
                }
                if (pi == p.length()) {
                    return true;
                }
                for (int i = vi; i <= v.length(); i++) {
                    if (match(p, pi, v, i)) {
                        return true;
                    }
                }
                return false;
            }
            if (vi >= v.length() || v.charAt(vi) != c) {
                return false;
            }
            pi++;
            vi++;
        }
        return vi == v.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
