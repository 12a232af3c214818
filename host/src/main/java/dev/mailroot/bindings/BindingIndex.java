package dev.mailroot.bindings;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Selects the bindings whose rule matches a message, in run order, without testing every binding:
 * each clause is filed under its most selective part (an exact name or domain in a hash table, or
 * the longest literal of a wildcard pattern in an Aho-Corasick automaton), so a message costs about
 * the same with 10,000 bindings as with 10 when few of them match. Only the candidates found are
 * checked in full. Immutable and thread-safe; rebuild it when the bindings change.
 */
public final class BindingIndex {

    /**
     * A selected binding and why.
     *
     * @param binding the binding
     * @param clause  the first clause of its rule that matched; empty when it has no rule
     */
    public record Match(Binding binding, Optional<Rule.Clause> clause) {
    }

    /** A clause filed in the index: which binding (by run-order position) and which of its clauses. */
    private record Entry(int ordinal, int clauseIndex, Rule.Clause clause) {
    }

    /** The clauses of one keyword, filed for lookup. */
    private static final class KeywordIndex {
        final Map<String, List<Entry>> exactName = new HashMap<>();
        final Map<String, List<Entry>> exactDomain = new HashMap<>();
        final Map<String, List<Entry>> literalNames = new HashMap<>();
        final Map<String, List<Entry>> literalDomains = new HashMap<>();
        final List<Entry> unindexed = new ArrayList<>();
        Substrings<Entry> nameSubstrings;
        Substrings<Entry> domainSubstrings;

        void add(Entry e) {
            Glob name = e.clause().name();
            Glob domain = e.clause().domain();
            if (domain.isExact()) {
                exactDomain.computeIfAbsent(domain.pattern(), k -> new ArrayList<>()).add(e);
            } else if (name.isExact()) {
                exactName.computeIfAbsent(name.pattern(), k -> new ArrayList<>()).add(e);
            } else if (domain.longestLiteral().length() >= name.longestLiteral().length()
                    && !domain.longestLiteral().isEmpty()) {
                literalDomains.computeIfAbsent(domain.longestLiteral(), k -> new ArrayList<>()).add(e);
            } else if (!name.longestLiteral().isEmpty()) {
                literalNames.computeIfAbsent(name.longestLiteral(), k -> new ArrayList<>()).add(e);
            } else {
                unindexed.add(e); // both parts are only wildcards: true for any value
            }
        }

        void build() {
            nameSubstrings = Substrings.of(literalNames);
            domainSubstrings = Substrings.of(literalDomains);
        }

        /** Calls {@code found} for every clause true for {@code value} (lower case). */
        void collect(Rule.Keyword keyword, String value, java.util.function.Consumer<Entry> found) {
            String name;
            String domain;
            if (keyword == Rule.Keyword.EHLO || keyword == Rule.Keyword.SOURCE) {
                name = "";
                domain = value;
            } else {
                int at = value.lastIndexOf('@');
                name = at < 0 ? value : value.substring(0, at);
                domain = at < 0 ? "" : value.substring(at + 1);
            }
            java.util.function.Consumer<Entry> verify = e -> {
                if (e.clause().name().matchesLower(name) && e.clause().domain().matchesLower(domain)) {
                    found.accept(e);
                }
            };
            List<Entry> byDomain = exactDomain.get(domain);
            if (byDomain != null) {
                byDomain.forEach(verify);
            }
            List<Entry> byName = exactName.get(name);
            if (byName != null) {
                byName.forEach(verify);
            }
            nameSubstrings.search(name, verify);
            domainSubstrings.search(domain, verify);
            unindexed.forEach(verify);
        }
    }

    private final List<Binding> ordered;
    private final BitSet always = new BitSet();
    private final Map<Rule.Keyword, KeywordIndex> byKeyword = new EnumMap<>(Rule.Keyword.class);
    private final Rule[] rules;

    private BindingIndex(List<Binding> bindings, Map<String, Rule> parsed) {
        this.ordered = bindings.stream().sorted(Binding.RUN_ORDER).toList();
        this.rules = new Rule[ordered.size()];
        for (Rule.Keyword k : Rule.Keyword.values()) {
            byKeyword.put(k, new KeywordIndex());
        }
        for (int i = 0; i < ordered.size(); i++) {
            Rule rule = parsed.get(ordered.get(i).id());
            rules[i] = rule;
            if (rule.isAlways()) {
                always.set(i);
            }
            List<Rule.Clause> clauses = rule.clauses();
            for (int c = 0; c < clauses.size(); c++) {
                byKeyword.get(clauses.get(c).keyword()).add(new Entry(i, c, clauses.get(c)));
            }
        }
        byKeyword.values().forEach(KeywordIndex::build);
    }

    /**
     * Indexes the enabled bindings of {@code event} among {@code bindings}.
     *
     * @throws IllegalArgumentException if a rule does not parse (the store never holds one)
     */
    public static BindingIndex of(List<Binding> bindings, String event) {
        List<Binding> selected = new ArrayList<>();
        Map<String, Rule> parsed = new HashMap<>();
        for (Binding b : bindings) {
            if (b.enabled() && b.event().equals(event)) {
                try {
                    parsed.put(b.id(), Rule.parse(b.rule()));
                } catch (RuleSyntaxException e) {
                    throw new IllegalArgumentException("binding " + b.id() + " rule " + e.getMessage(), e);
                }
                selected.add(b);
            }
        }
        return new BindingIndex(selected, parsed);
    }

    /** How many bindings are indexed. */
    public int size() {
        return ordered.size();
    }

    /** The bindings whose rule matches, in run order (priority, then name, then id). */
    public List<Match> select(RuleInput in) {
        BitSet hit = (BitSet) always.clone();
        Map<Integer, Integer> clauseOf = new HashMap<>();
        java.util.function.Consumer<Entry> found = e -> {
            hit.set(e.ordinal());
            clauseOf.merge(e.ordinal(), e.clauseIndex(), Math::min);
        };
        byKeyword.get(Rule.Keyword.EHLO).collect(Rule.Keyword.EHLO, in.ehlo().toLowerCase(Locale.ROOT), found);
        if (in.mailFrom() != null) {
            byKeyword.get(Rule.Keyword.MAIL_FROM).collect(Rule.Keyword.MAIL_FROM, in.mailFrom().toLowerCase(Locale.ROOT), found);
        }
        if (!in.source().isEmpty()) {
            byKeyword.get(Rule.Keyword.SOURCE).collect(Rule.Keyword.SOURCE, in.source().toLowerCase(Locale.ROOT), found);
        }
        KeywordIndex rcpt = byKeyword.get(Rule.Keyword.RCPT_TO);
        for (String r : in.recipients()) {
            rcpt.collect(Rule.Keyword.RCPT_TO, r.toLowerCase(Locale.ROOT), found);
        }
        List<Match> out = new ArrayList<>(hit.cardinality());
        for (int i = hit.nextSetBit(0); i >= 0; i = hit.nextSetBit(i + 1)) {
            Integer c = clauseOf.get(i);
            out.add(new Match(ordered.get(i), c == null ? Optional.empty() : Optional.of(rules[i].clauses().get(c))));
        }
        return out;
    }
}
