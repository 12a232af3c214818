package dev.mailroot.bindings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An IIS binding rule: clauses {@code KEYWORD=pattern} joined by {@code ;}, which means OR. The
 * keywords are {@code EHLO}, {@code MAIL FROM}, {@code RCPT TO} and Mailroot's {@code SOURCE} (case-insensitive);
 * {@code RCPT TO} is true when any recipient matches; no rule means always.
 *
 * <p>An address pattern is {@code name[@domain]}: without {@code @domain} any domain matches, with
 * it both parts must match. Patterns compare case-insensitively and {@code *} matches any run of
 * characters. An {@code EHLO} pattern is matched against the whole HELO/EHLO name.
 *
 * <p>Documented extensions to IIS, nothing else: white space around {@code =} and {@code ;} is
 * allowed, {@code HELO} is an alias of {@code EHLO}, and {@code *} may stand anywhere in a pattern
 * (IIS allows it only at the start and/or end of each part), and the keyword {@code SOURCE=name}
 * (where the mail came from: {@code smtp}, {@code pickup}, {@code sink} or a connector such as
 * {@code pop3-connector}; matched like an EHLO pattern). A clause on a value not known yet (the
 * sender at OnConnect) is false. Immutable.
 */
public final class Rule {

    /** The keywords of a clause. */
    public enum Keyword {
        EHLO("EHLO"), MAIL_FROM("MAIL FROM"), RCPT_TO("RCPT TO"),
        /** Mailroot extension: where the mail came from ({@code smtp}, {@code pickup}, {@code sink}, a connector's name). */
        SOURCE("SOURCE");

        private final String text;

        Keyword(String text) {
            this.text = text;
        }

        /** The keyword as written in a rule. */
        public String text() {
            return text;
        }
    }

    /**
     * One clause.
     *
     * @param keyword what it tests
     * @param pattern the pattern as written
     * @param name    the name part (any for EHLO)
     * @param domain  the domain part (any when the pattern has no {@code @})
     * @param text    the clause as written, trimmed
     */
    public record Clause(Keyword keyword, String pattern, Glob name, Glob domain, String text) {

        /** Whether this clause is true for the value (an address, or the HELO name for EHLO). */
        public boolean matches(String value) {
            String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
            if (keyword == Keyword.EHLO || keyword == Keyword.SOURCE) {
                return domain.matchesLower(v);
            }
            int at = v.lastIndexOf('@');
            String localPart = at < 0 ? v : v.substring(0, at);
            String dom = at < 0 ? "" : v.substring(at + 1);
            return name.matchesLower(localPart) && domain.matchesLower(dom);
        }
    }

    private static final Glob ANY = new Glob("*");

    private final String text;
    private final List<Clause> clauses;

    private Rule(String text, List<Clause> clauses) {
        this.text = text;
        this.clauses = List.copyOf(clauses);
    }

    /** The rule that always matches (a binding without a rule). */
    public static Rule always() {
        return new Rule(null, List.of());
    }

    /**
     * Parses a rule. Null or blank means always.
     *
     * @throws RuleSyntaxException with the position and the reason
     */
    public static Rule parse(String text) throws RuleSyntaxException {
        if (text == null || text.isBlank()) {
            return always();
        }
        List<Clause> clauses = new ArrayList<>();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf(';', start);
            if (end < 0) {
                end = text.length();
            }
            clauses.add(clause(text, start, end));
            start = end + 1;
        }
        return new Rule(text, clauses);
    }

    private static Clause clause(String text, int start, int end) throws RuleSyntaxException {
        String raw = text.substring(start, end);
        int lead = 0;
        while (lead < raw.length() && Character.isWhitespace(raw.charAt(lead))) {
            lead++;
        }
        if (lead == raw.length()) {
            throw new RuleSyntaxException(start + 1, end < text.length() || start > 0
                    ? "empty clause (two ';' in a row, or a ';' at the start or end)" : "empty rule");
        }
        int eq = raw.indexOf('=');
        if (eq < 0) {
            throw new RuleSyntaxException(start + lead + 1, "expected KEYWORD=pattern, found no '='");
        }
        String keywordText = raw.substring(lead, eq).strip();
        Keyword keyword = keyword(keywordText);
        if (keyword == null) {
            throw new RuleSyntaxException(start + lead + 1, keywordText.isEmpty() ? "missing keyword before '='"
                    : "unknown keyword '" + keywordText + "'; expected EHLO, HELO, MAIL FROM, RCPT TO or SOURCE");
        }
        String pattern = raw.substring(eq + 1).strip();
        int patternPos = start + eq + 2 + (raw.substring(eq + 1).length() - raw.substring(eq + 1).stripLeading().length());
        if (pattern.isEmpty()) {
            throw new RuleSyntaxException(start + eq + 2, "empty pattern after '" + keyword.text() + "='");
        }
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '<' || c == '>' || c == '=') {
                throw new RuleSyntaxException(patternPos + i, "a pattern cannot contain "
                        + (Character.isWhitespace(c) ? "white space" : "'" + printable(c) + "'"));
            }
        }
        Glob name = ANY;
        Glob domain = ANY;
        if (keyword == Keyword.EHLO || keyword == Keyword.SOURCE) {
            domain = new Glob(pattern);
        } else {
            int at = pattern.lastIndexOf('@');
            if (at == 0) {
                throw new RuleSyntaxException(patternPos, "nothing before '@' (write *@domain for any name)");
            }
            if (at == pattern.length() - 1) {
                throw new RuleSyntaxException(patternPos + at, "nothing after '@' (write name@* for any domain)");
            }
            if (at > 0 && pattern.indexOf('@') != at) {
                throw new RuleSyntaxException(patternPos + pattern.indexOf('@'), "more than one '@'");
            }
            if (at < 0) {
                name = new Glob(pattern);
            } else {
                name = new Glob(pattern.substring(0, at));
                domain = new Glob(pattern.substring(at + 1));
            }
        }
        return new Clause(keyword, pattern, name, domain, raw.strip());
    }

    private static String printable(char c) {
        return Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static Keyword keyword(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "EHLO", "HELO" -> Keyword.EHLO;
            case "MAIL FROM" -> Keyword.MAIL_FROM;
            case "RCPT TO" -> Keyword.RCPT_TO;
            case "SOURCE" -> Keyword.SOURCE;
            default -> null;
        };
    }

    /** The rule as written; null for "always". */
    public String text() {
        return text;
    }

    public List<Clause> clauses() {
        return clauses;
    }

    public boolean isAlways() {
        return clauses.isEmpty();
    }

    /**
     * The first clause that is true for this message, in rule order; empty if none. For
     * {@link #always()} there is no clause to name: use {@link #matches(RuleInput)}.
     */
    public java.util.Optional<Clause> firstMatch(RuleInput in) {
        for (Clause c : clauses) {
            if (clauseMatches(c, in)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether the rule is true for this message. */
    public boolean matches(RuleInput in) {
        return isAlways() || firstMatch(in).isPresent();
    }

    /**
     * Why the rule is false for this message: since {@code ;} means OR, every clause failed; each is
     * given in rule order with what it was tested against, for example
     * {@code RCPT TO=*@sales.example: no recipient matched (bob@example.org)}. Empty when the rule
     * is true.
     */
    public List<String> whyNot(RuleInput in) {
        if (matches(in)) {
            return List.of();
        }
        return clauses.stream().map(c -> c.text() + ": " + miss(c.keyword(), in)).toList();
    }

    private static String miss(Keyword keyword, RuleInput in) {
        return switch (keyword) {
            case EHLO -> in.ehlo().isEmpty() ? "the HELO/EHLO name is empty (pickup mail has none)"
                    : "the HELO/EHLO name did not match (" + in.ehlo() + ")";
            case MAIL_FROM -> in.mailFrom() == null ? "the sender is not known yet at this event"
                    : "the sender did not match (" + (in.mailFrom().isEmpty() ? "<>, the null sender" : in.mailFrom()) + ")";
            case RCPT_TO -> in.recipients().isEmpty() ? "there is no recipient (yet)"
                    : "no recipient matched (" + String.join(", ", in.recipients()) + ")";
            case SOURCE -> in.source().isEmpty() ? "the source is not known"
                    : "the source did not match (" + in.source() + ")";
        };
    }

    static boolean clauseMatches(Clause c, RuleInput in) {
        return switch (c.keyword()) {
            case EHLO -> c.matches(in.ehlo());
            case MAIL_FROM -> in.mailFrom() != null && c.matches(in.mailFrom());
            case RCPT_TO -> in.recipients().stream().anyMatch(c::matches);
            case SOURCE -> !in.source().isEmpty() && c.matches(in.source());
        };
    }

    @Override
    public String toString() {
        return text == null ? "(always)" : text;
    }
}
