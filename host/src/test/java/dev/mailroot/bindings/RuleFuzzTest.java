package dev.mailroot.bindings;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any text is a rule or is refused with a position inside it; the parser never fails in any other
 * way, a parsed rule can be evaluated, and the index selects a binding exactly when its rule matches.
 *
 * <p>A Jazzer fuzz test: {@code mvn verify} replays the inputs in {@code RuleFuzzTestInputs/}
 * (each file is a rule's text in UTF-8); {@code bench/fuzz.sh} fuzzes it for longer.
 */
class RuleFuzzTest {

    private static final RuleInput MESSAGE = new RuleInput("mx.example.com", "alice@example.com",
            List.of("mspop3connector.carol@localhost", "bob@example.org"));

    @DictionaryEntries({"RCPT TO", "rcpt to", "MAIL FROM", "EHLO", "HELO", "=", ";", "*", "@", "*@", "@*",
            "example.com", "mspop3connector.", "<", ">"})
    @FuzzTest
    void anyTextIsParsedOrRefusedWithAPosition(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Rule rule;
        try {
            rule = Rule.parse(text);
        } catch (RuleSyntaxException e) {
            assertThat(e.position()).as(text).isBetween(1, text.length() + 1);
            assertThat(e.reason()).as(text).isNotBlank();
            return;
        }
        BindingIndex index = BindingIndex.of(List.of(new Binding(Binding.newId(), "p", Events.ON_SUBMISSION, "S", true,
                text, 1, Map.of())), Events.ON_SUBMISSION);
        for (RuleInput in : messagesFor(rule)) {
            boolean matches = rule.matches(in);
            assertThat(index.select(in).isEmpty()).as("index for %s on %s", text, in).isEqualTo(!matches);
            assertThat(rule.whyNot(in).isEmpty()).as("whyNot for %s on %s", text, in).isEqualTo(matches);
        }
    }

    /**
     * A fixed message, and for each clause messages whose every value comes from its pattern (each
     * {@code *} made empty, or made a run of characters), so both sides of a match are exercised.
     */
    private static List<RuleInput> messagesFor(Rule rule) {
        List<RuleInput> messages = new ArrayList<>(List.of(MESSAGE));
        for (Rule.Clause c : rule.clauses()) {
            for (String star : List.of("", "x.y@z")) {
                String value = c.pattern().replace("*", star);
                messages.add(new RuleInput(value, value, List.of(value)));
            }
        }
        return messages;
    }
}
