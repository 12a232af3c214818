package dev.mailroot.server.tracking;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How an operator's search terms are read, and what they match. */
class SearchQueryTest {
    private static final Instant NOW = Instant.parse("2026-12-05T03:00:00Z");

    @Test
    void timesAreInstantsLocalDatesOrAgesAndAnythingElseIsRefusedInOneLine() {
        assertThat(SearchQuery.time("2026-12-01T10:00:00Z", NOW)).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(SearchQuery.time("2026-12-01", NOW)).isEqualTo(LocalDate.parse("2026-12-01").atStartOfDay(ZoneId.systemDefault()).toInstant());
        assertThat(SearchQuery.time("2h", NOW)).isEqualTo(Instant.parse("2026-12-05T01:00:00Z"));
        assertThat(SearchQuery.time("3d", NOW)).isEqualTo(Instant.parse("2026-12-02T03:00:00Z"));
        assertThat(SearchQuery.time(" ", NOW)).isNull();
        assertThatThrownBy(() -> SearchQuery.time("yesterday\u001b", NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a time: 'yesterday?'").hasMessageNotContaining("\n");
    }

    @Test
    void textTermsAreCaseInsensitiveFragmentsAndEveryTermGivenMustMatch() {
        SearchQuery q = new SearchQuery(null, "ANN@", "bob", "Invoice", NOW.minusSeconds(60), NOW);
        assertThat(q.matches(List.of("ann@example.org"), List.of("x@y", "Bob@Example.org"), "Your invoice 114", NOW.minusSeconds(1))).isTrue();
        assertThat(q.matches(List.of("ann@example.org"), List.of("carol@example.org"), "Your invoice 114", NOW.minusSeconds(1))).isFalse();
        assertThat(q.matches(List.of("ann@example.org"), List.of("bob@example.org"), null, NOW.minusSeconds(1))).isFalse();
        assertThat(q.matches(List.of("ann@example.org"), List.of("bob@example.org"), "invoice", NOW)).as("until is exclusive").isFalse();
        assertThat(SearchQuery.of("<a@b>").namesMessageId("a@b")).isTrue();
        assertThat(SearchQuery.of("1m922yy680000").namesId("1M922YY680000")).isTrue();
        assertThat(new SearchQuery(" ", null, "", null, null, null).isEmpty()).isTrue();
        assertThatThrownBy(() -> new SearchQuery(null, "a\rb", null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aQueryTravelsToTheServerAndBackUnchanged() {
        SearchQuery q = new SearchQuery("<x y@z>", "a&b", "c=d", "caf\u00e9 ?", NOW.minusSeconds(3600), NOW);
        Map<String, String> params = Arrays.stream(q.toQueryString().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> java.net.URLDecoder.decode(p[1], java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(SearchQuery.parse(params, NOW)).isEqualTo(q);
    }
}
