package dev.mailroot.bindings;

import java.util.Locale;

/**
 * A case-insensitive wildcard pattern where {@code *} matches any run of characters (empty too)
 * and every other character matches itself. Immutable.
 */
public final class Glob {
    private final String pattern;
    private final String[] literals;
    private final boolean startsWithStar;
    private final boolean endsWithStar;

    public Glob(String pattern) {
        this.pattern = pattern.toLowerCase(Locale.ROOT);
        this.literals = java.util.Arrays.stream(this.pattern.split("\\*", -1)).toArray(String[]::new);
        this.startsWithStar = this.pattern.startsWith("*");
        this.endsWithStar = this.pattern.endsWith("*");
    }

    /** Whether the pattern has no {@code *}: it matches one value only. */
    public boolean isExact() {
        return literals.length == 1;
    }

    /** Whether the pattern is made of {@code *} only: it matches everything. */
    public boolean matchesAll() {
        return !pattern.isEmpty() && pattern.chars().allMatch(c -> c == '*');
    }

    /** The longest run of characters without {@code *} (empty if none). */
    public String longestLiteral() {
        String best = "";
        for (String l : literals) {
            if (l.length() > best.length()) {
                best = l;
            }
        }
        return best;
    }

    public String pattern() {
        return pattern;
    }

    /** Matches {@code value}, which the caller has lower-cased. */
    public boolean matchesLower(String value) {
        if (isExact()) {
            return pattern.equals(value);
        }
        int pos = 0;
        int last = literals.length - 1;
        String first = literals[0];
        if (!startsWithStar || !first.isEmpty()) {
            if (!value.startsWith(first)) {
                return false;
            }
            pos = first.length();
        }
        for (int i = 1; i < last; i++) {
            String lit = literals[i];
            if (lit.isEmpty()) {
                continue;
            }
            int at = value.indexOf(lit, pos);
            if (at < 0) {
                return false;
            }
            pos = at + lit.length();
        }
        String tail = literals[last];
        if (!endsWithStar || !tail.isEmpty()) {
            return value.length() - tail.length() >= pos && value.endsWith(tail);
        }
        return true;
    }

    public boolean matches(String value) {
        return matchesLower(value.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return pattern;
    }
}
