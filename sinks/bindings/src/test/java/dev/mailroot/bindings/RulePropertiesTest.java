package dev.mailroot.bindings;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Any string is a rule or is refused with a position; the parser never fails in any other way. */
class RulePropertiesTest {

    private static final RuleInput MESSAGE = new RuleInput("mx.example.com", "alice@example.com",
            List.of("mspop3connector.carol@localhost", "bob@example.org"));

    @Property(tries = 3000)
    void anyStringIsParsedOrRefusedWithAPosition(@ForAll("ruleLike") String text) {
        try {
            Rule rule = Rule.parse(text);
            rule.matches(MESSAGE); // a parsed rule can always be evaluated
            assertThat(BindingIndex.of(List.of(new Binding(Binding.newId(), "p", Events.ON_SUBMISSION, "S", true, text, 1,
                    java.util.Map.of())), Events.ON_SUBMISSION).select(MESSAGE).isEmpty()).isEqualTo(!rule.matches(MESSAGE));
        } catch (RuleSyntaxException e) {
            assertThat(e.position()).isBetween(1, text.length() + 1);
            assertThat(e.reason()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> ruleLike() {
        Arbitrary<String> tokens = Arbitraries.of("RCPT TO", "rcpt to", "MAIL FROM", "EHLO", "HELO", "FROM", "=", "=", ";",
                ";", "*", "*", "@", " ", "\t", "a", "example.com", "mspop3connector.", "<", ">", "@@", "\u0000", "é", "\n");
        Arbitrary<String> structured = tokens.list().ofMaxSize(12).map(l -> String.join("", l));
        return Arbitraries.oneOf(structured, structured, Arbitraries.strings().ofMaxLength(40));
    }
}
