package dev.mailroot.bindings;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BindingIndexTest {

    private static final String[] WORDS = {"alice", "bob", "carol", "mspop3connector", "sales", "x", "ab", "ba",
            "example", "com", "org", "localhost", "mx", "a", "b", ""};

    private static Binding binding(int i, String rule, int priority, boolean enabled) {
        return new Binding(Binding.canonicalId(new java.util.UUID(0, i).toString()), "b" + i, Events.ON_SUBMISSION,
                "Sink", enabled, rule, priority, Map.of());
    }

    private static final String[] SOURCES = {"smtp", "pickup", "sink", "pop3-connector", ""};

    @Test
    void selectsInRunOrderWithTheFirstMatchingClause() {
        List<Binding> bs = List.of(
                binding(1, "RCPT TO=*@example.com", 100, true),
                binding(2, null, 0, true),
                binding(3, "MAIL FROM=nobody;RCPT TO=bob@*", 100, true),
                binding(4, "RCPT TO=*", 50, false),
                binding(5, "EHLO=mx.*", 24575, true));
        BindingIndex index = BindingIndex.of(bs, Events.ON_SUBMISSION);
        List<BindingIndex.Match> m = index.select(new RuleInput("mx.example.com", "a@b", List.of("bob@example.com")));
        assertThat(m).extracting(x -> x.binding().name()).containsExactly("b2", "b1", "b3", "b5");
        assertThat(m.get(0).clause()).isEmpty();
        assertThat(m.get(2).clause()).get().extracting(Rule.Clause::text).isEqualTo("RCPT TO=bob@*");
        assertThat(index.size()).isEqualTo(4);
    }

    @Test
    void selectsBySourceAndOnlyByWhatIsKnownAtTheEvent() {
        List<Binding> bs = List.of(
                binding(1, "SOURCE=smtp", 10, true),
                binding(2, "SOURCE=pickup;SOURCE=pop3-*", 20, true),
                binding(3, "MAIL FROM=*", 30, true),
                binding(4, "MAIL FROM=*@*;RCPT TO=*", 40, true),
                binding(5, "EHLO=*", 50, true),
                binding(6, null, 60, true));
        BindingIndex index = BindingIndex.of(bs, Events.ON_SUBMISSION);
        // at OnConnect: only the source is known
        assertThat(index.select(new RuleInput("", null, List.of(), "smtp"))).extracting(x -> x.binding().name())
                .containsExactly("b1", "b5", "b6"); // EHLO=* is true for the empty name, as for pickup mail
        assertThat(index.select(new RuleInput("", null, List.of(), "pop3-connector"))).extracting(x -> x.binding().name())
                .containsExactly("b2", "b5", "b6");
        assertThat(index.select(new RuleInput("", null, List.of(), "pop3-connector")).get(0).clause()).get()
                .extracting(Rule.Clause::text).isEqualTo("SOURCE=pop3-*");
        // once MAIL FROM is known (here the null sender, which MAIL FROM=*@* matches as in IIS), its clauses count
        assertThat(index.select(new RuleInput("mx", "", List.of(), "smtp"))).extracting(x -> x.binding().name())
                .containsExactly("b1", "b3", "b4", "b5", "b6");
        // no source: a SOURCE clause is false
        assertThat(index.select(new RuleInput("mx", "a@b", List.of("r@x")))).extracting(x -> x.binding().name())
                .containsExactly("b3", "b4", "b5", "b6");
    }

    @Test
    void tiesBreakByNameThenId() {
        Binding z = new Binding("{00000000-0000-0000-0000-000000000002}", "same", "OnSubmission", "S", true, null, 5, Map.of());
        Binding a = new Binding("{00000000-0000-0000-0000-000000000001}", "same", "OnSubmission", "S", true, null, 5, Map.of());
        Binding first = new Binding("{00000000-0000-0000-0000-000000000003}", "alpha", "OnSubmission", "S", true, null, 5, Map.of());
        List<BindingIndex.Match> m = BindingIndex.of(List.of(z, a, first), "OnSubmission").select(new RuleInput("", "", List.of("r@x")));
        assertThat(m).extracting(x -> x.binding().id()).containsExactly(first.id(), a.id(), z.id());
    }

    /** The index must select exactly what testing every rule one by one selects. */
    @Test
    void selectsExactlyWhatTestingEveryRuleSelects() throws Exception {
        Random rnd = new Random(42);
        for (int round = 0; round < 30; round++) {
            List<Binding> bs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                bs.add(binding(i, randomRule(rnd), rnd.nextInt(5), rnd.nextInt(10) > 0));
            }
            BindingIndex index = BindingIndex.of(bs, Events.ON_SUBMISSION);
            for (int m = 0; m < 50; m++) {
                RuleInput in = new RuleInput(word(rnd) + "." + word(rnd), rnd.nextInt(5) == 0 ? null : address(rnd),
                        List.of(address(rnd), address(rnd)), SOURCES[rnd.nextInt(SOURCES.length)]);
                List<String> expected = bs.stream().filter(Binding::enabled).sorted(Binding.RUN_ORDER)
                        .filter(b -> ruleMatches(b.rule(), in)).map(Binding::id).toList();
                assertThat(index.select(in)).extracting(x -> x.binding().id()).as(in.toString()).isEqualTo(expected);
                for (BindingIndex.Match x : index.select(in)) {
                    assertThat(x.clause().map(Rule.Clause::text))
                            .isEqualTo(Rule.parse(x.binding().rule()).firstMatch(in).map(Rule.Clause::text));
                }
            }
        }
    }

    private static boolean ruleMatches(String rule, RuleInput in) {
        try {
            return Rule.parse(rule).matches(in);
        } catch (RuleSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static String word(Random rnd) {
        return WORDS[rnd.nextInt(WORDS.length)];
    }

    private static String address(Random rnd) {
        return rnd.nextInt(10) == 0 ? word(rnd) : word(rnd) + "@" + word(rnd) + "." + word(rnd);
    }

    private static String pattern(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + rnd.nextInt(3);
        for (int i = 0; i < parts; i++) {
            if (rnd.nextBoolean()) {
                sb.append('*');
            }
            sb.append(word(rnd));
        }
        if (rnd.nextBoolean()) {
            sb.append('*');
        }
        return sb.length() == 0 ? "*" : sb.toString();
    }

    private static String randomRule(Random rnd) {
        if (rnd.nextInt(8) == 0) {
            return null;
        }
        List<String> clauses = new ArrayList<>();
        for (int c = 0, n = 1 + rnd.nextInt(3); c < n; c++) {
            String p = rnd.nextBoolean() ? pattern(rnd) : pattern(rnd) + "@" + pattern(rnd);
            switch (rnd.nextInt(4)) {
                case 0 -> clauses.add("EHLO=" + pattern(rnd));
                case 1 -> clauses.add("SOURCE=" + (rnd.nextBoolean() ? SOURCES[rnd.nextInt(SOURCES.length - 1)] : pattern(rnd)));
                case 2 -> clauses.add("MAIL FROM=" + p);
                default -> clauses.add("RCPT TO=" + p);
            }
        }
        return String.join(";", clauses);
    }
}
