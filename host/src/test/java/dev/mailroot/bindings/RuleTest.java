package dev.mailroot.bindings;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleTest {

    private static RuleInput mail(String helo, String from, String... rcpts) {
        return new RuleInput(helo, from, List.of(rcpts));
    }

    private static boolean matches(String rule, RuleInput in) throws RuleSyntaxException {
        return Rule.parse(rule).matches(in);
    }

    @Test
    void noRuleMeansAlways() throws Exception {
        assertThat(Rule.parse(null).isAlways()).isTrue();
        assertThat(Rule.parse("  ").isAlways()).isTrue();
        assertThat(matches(null, mail("", "", "x@y"))).isTrue();
    }

    @Test
    void theIisAddressPatternsMatchAsDocumented() throws Exception {
        RuleInput in = mail("client.example.com", "Alice@Example.COM", "mspop3connector.carol@localhost");
        // name patterns: *, *user, user*, *user*, exact; no @domain means any domain
        assertThat(matches("MAIL FROM=*", in)).isTrue();
        assertThat(matches("MAIL FROM=*ice", in)).isTrue();
        assertThat(matches("MAIL FROM=ali*", in)).isTrue();
        assertThat(matches("MAIL FROM=*lic*", in)).isTrue();
        assertThat(matches("MAIL FROM=alice", in)).isTrue();
        assertThat(matches("MAIL FROM=alic", in)).isFalse();
        // domain patterns: *, exact, *example.com (ends with, including itself)
        assertThat(matches("MAIL FROM=*@*", in)).isTrue();
        assertThat(matches("MAIL FROM=*@example.com", in)).isTrue();
        assertThat(matches("MAIL FROM=*@*example.com", in)).isTrue();
        assertThat(matches("MAIL FROM=*@*.example.com", in)).isFalse();
        assertThat(matches("MAIL FROM=alice@example.org", in)).isFalse();
        assertThat(matches("mail from=ALICE@EXAMPLE.COM", in)).isTrue();
        // RCPT TO: any recipient
        assertThat(matches("RCPT TO=*mspop3connector.*", in)).isTrue();
        assertThat(matches("rcpt to=*@other.example", in)).isFalse();
        // EHLO compares the whole HELO name
        assertThat(matches("EHLO=*.example.com", in)).isTrue();
        assertThat(matches("EHLO=example.com", in)).isFalse();
    }

    @Test
    void rcptToMatchesWhenAnyRecipientMatches() throws Exception {
        assertThat(matches("RCPT TO=bob@*", mail("h", "a@b", "carol@x", "bob@y"))).isTrue();
        assertThat(matches("RCPT TO=bob@*", mail("h", "a@b", "carol@x"))).isFalse();
        assertThat(matches("RCPT TO=*", mail("h", "a@b"))).isFalse();
    }

    @Test
    void whyNotGivesEachClauseWithWhatItWasTestedAgainst() throws Exception {
        Rule rule = Rule.parse("EHLO=mx.partner.example; MAIL FROM=*@partner.example;RCPT TO=*@sales.example");
        assertThat(rule.whyNot(mail("other.example", "alice@other.example", "bob@example.org", "carol@localhost")))
                .containsExactly("EHLO=mx.partner.example: the HELO/EHLO name did not match (other.example)",
                        "MAIL FROM=*@partner.example: the sender did not match (alice@other.example)",
                        "RCPT TO=*@sales.example: no recipient matched (bob@example.org, carol@localhost)");
        assertThat(rule.whyNot(mail("", "", "bob@example.org"))).containsExactly(
                "EHLO=mx.partner.example: the HELO/EHLO name is empty (pickup mail has none)",
                "MAIL FROM=*@partner.example: the sender did not match (<>, the null sender)",
                "RCPT TO=*@sales.example: no recipient matched (bob@example.org)");
        assertThat(rule.whyNot(mail("other.example", "x@y", "bob@example.org", "ann@Sales.Example"))).isEmpty();
        assertThat(Rule.always().whyNot(mail("", "", "x@y"))).isEmpty();
    }

    @Test
    void semicolonMeansOrAndTheFirstMatchingClauseIsReported() throws Exception {
        Rule r = Rule.parse("EHLO=nope.example;MAIL FROM=*@example.com;RCPT TO=*");
        RuleInput in = mail("h.example", "x@example.com", "y@z");
        assertThat(r.matches(in)).isTrue();
        assertThat(r.firstMatch(in)).get().extracting(Rule.Clause::text).isEqualTo("MAIL FROM=*@example.com");
        assertThat(Rule.parse("EHLO=a;EHLO=b").matches(mail("c", "", "r@x"))).isFalse();
    }

    @Test
    void documentedExtensionsAreAccepted() throws Exception {
        RuleInput in = mail("mx.example.com", "alice@example.com", "bob@localhost");
        assertThat(matches("  MAIL FROM = *@example.com ;  RCPT TO =nobody ", in)).isTrue();
        assertThat(matches("HELO=mx.*", in)).isTrue();
        assertThat(matches("MAIL FROM=a*c*@ex*le.com", in)).isTrue();
        assertThat(matches("MAIL FROM=a*z*@ex*le.com", in)).isFalse();
    }

    @Test
    void theNullSenderAndPickupMailWithoutHeloAreHandled() throws Exception {
        assertThat(matches("MAIL FROM=*", mail("", "", "r@x"))).isTrue();
        assertThat(matches("MAIL FROM=*@*", mail("", "", "r@x"))).isTrue();
        assertThat(matches("MAIL FROM=*@example.com", mail("", "", "r@x"))).isFalse();
        assertThat(matches("EHLO=*.example.com", mail("", "a@b", "r@x"))).isFalse();
    }

    @Test
    void sourceIsAMailrootKeywordMatchedLikeAnEhloName() throws Exception {
        RuleInput smtp = new RuleInput("mx.example.com", "a@b", List.of("r@x"), "smtp");
        RuleInput connector = new RuleInput("", "a@b", List.of("r@x"), "pop3-connector");
        assertThat(Rule.parse("source=SMTP").clauses()).extracting(Rule.Clause::keyword).containsExactly(Rule.Keyword.SOURCE);
        assertThat(matches("SOURCE=smtp", smtp)).isTrue();
        assertThat(matches("SOURCE=smtp", connector)).isFalse();
        assertThat(matches("SOURCE=pop3-*", connector)).isTrue();
        assertThat(matches("SOURCE=pickup;SOURCE=*connector", connector)).isTrue();
        assertThat(matches("SOURCE=*", mail("h", "a@b", "r@x"))).as("no source known").isFalse();
        assertThat(Rule.parse("SOURCE=pickup;MAIL FROM=boss@*").whyNot(smtp)).containsExactly(
                "SOURCE=pickup: the source did not match (smtp)", "MAIL FROM=boss@*: the sender did not match (a@b)");
        assertThat(Rule.parse("SOURCE=smtp").whyNot(mail("h", "a@b", "r@x"))).containsExactly(
                "SOURCE=smtp: the source is not known");
        assertPosition("SOURCE=", 8, "empty pattern");
        assertPosition("ORIGIN=smtp", 1, "expected EHLO, HELO, MAIL FROM, RCPT TO or SOURCE");
    }

    @Test
    void aClauseOnAValueNotKnownYetIsFalseAndSaysSo() throws Exception {
        RuleInput atConnect = new RuleInput("", null, List.of(), "smtp");
        assertThat(matches("MAIL FROM=*", atConnect)).isFalse();
        assertThat(matches("RCPT TO=*", atConnect)).isFalse();
        assertThat(matches("EHLO=*.example.com", atConnect)).isFalse();
        assertThat(matches("SOURCE=smtp", atConnect)).isTrue();
        assertThat(Rule.parse("MAIL FROM=*;RCPT TO=*").whyNot(atConnect)).containsExactly(
                "MAIL FROM=*: the sender is not known yet at this event", "RCPT TO=*: there is no recipient (yet)");
    }

    @Test
    void aRuleThatDoesNotParseIsRefusedWithThePositionAndTheReason() {
        assertPosition("MAIL FROM", 1, "no '='");
        assertPosition("FROM=x", 1, "unknown keyword 'FROM'");
        assertPosition("MAIL  FROM=x", 1, "unknown keyword");
        assertPosition("RCPT TO=a;;RCPT TO=b", 11, "empty clause");
        assertPosition("RCPT TO=a;", 11, "empty clause");
        assertPosition("RCPT TO=", 9, "empty pattern");
        assertPosition("RCPT TO=a b", 10, "white space");
        assertPosition("RCPT TO=@example.com", 9, "nothing before '@'");
        assertPosition("RCPT TO=bob@", 12, "nothing after '@'");
        assertPosition("RCPT TO=a@b@c", 10, "more than one '@'");
        assertPosition("=x", 1, "missing keyword");
        assertPosition("RCPT TO=<bob@x>", 9, "'<'");
    }

    private static void assertPosition(String rule, int position, String reason) {
        assertThatThrownBy(() -> Rule.parse(rule)).as(rule)
                .isInstanceOfSatisfying(RuleSyntaxException.class, e -> {
                    assertThat(e.position()).as(rule + ": " + e.getMessage()).isEqualTo(position);
                    assertThat(e.reason()).contains(reason);
                });
    }

    @Test
    void globsMatchWildcardsAnywhere() {
        assertThat(new Glob("a*b*c").matches("aXXbYYc")).isTrue();
        assertThat(new Glob("a*b*c").matches("abc")).isTrue();
        assertThat(new Glob("a*a").matches("a")).isFalse();
        assertThat(new Glob("*").matches("")).isTrue();
        assertThat(new Glob("**x**").matches("axb")).isTrue();
        assertThat(new Glob("x").matches("X")).isTrue();
        assertThat(new Glob("ab*").matches("a")).isFalse();
        assertThat(new Glob("*ab").matches("b")).isFalse();
    }
}
