package dev.mailroot.pop3;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The routing patterns of global accounts. */
class WildcardTest {

    private static boolean m(String pattern, String value) {
        return new Wildcard(pattern).matches(value);
    }

    @Test
    void anExactPatternMatchesItsAddressInAnyCase() {
        assertThat(m("Sales@Example.net", "sales@EXAMPLE.NET")).isTrue();
        assertThat(m("sales@example.net", "sales@example.net.evil")).isFalse();
        assertThat(m("", "")).isTrue();
        assertThat(m("", "a")).isFalse();
    }

    @Test
    void aStarMatchesAnyRunIncludingNone() {
        assertThat(m("*@example.net", "anyone@example.net")).isTrue();
        assertThat(m("*@example.net", "@example.net")).isTrue();
        assertThat(m("*@example.net", "anyone@example.org")).isFalse();
        assertThat(m("sales@*", "sales@anywhere")).isTrue();
        assertThat(m("s*l*s@x", "sls@x")).isTrue();
        assertThat(m("s*l*s@x", "sales@x")).isTrue();
        assertThat(m("s*l*s@x", "sale@x")).isFalse();
        assertThat(m("*", "")).isTrue();
        assertThat(m("**", "whatever")).isTrue();
    }

    @Test
    void theFirstAndLastPartsMayNotOverlap() {
        assertThat(m("a*a", "a")).isFalse();
        assertThat(m("a*a", "aa")).isTrue();
        assertThat(m("ab*bc", "abc")).isFalse();
        assertThat(m("*ab*ab*", "xabyab")).isTrue();
        assertThat(m("*ab*ab*", "xaby")).isFalse();
    }

    @Test
    void manyStarsAgainstALongValueThatFailsLateStillAnswer() {
        // a backtracking matcher takes exponential time here; this one answers at once
        String value = "a".repeat(5_000) + "b";
        assertThat(m("*a*a*a*a*a*a*a*a*a*a*a*a*c", value)).isFalse();
        assertThat(m("*a*a*a*a*a*a*a*a*a*a*a*a*b", value)).isTrue();
    }
}
