package com.example.tag;

import dev.mailroot.sink.Fate;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.testkit.ChainResult;
import dev.mailroot.testkit.ChainRunner;
import dev.mailroot.testkit.FakeSubmission;
import dev.mailroot.testkit.SentMail;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.mailroot.testkit.TestBinding.binding;
import static org.assertj.core.api.Assertions.assertThat;

class PolicyChainTest {

    private static ChainRunner chain(String... scoreProperties) {
        var score = binding("Score").priority(100);
        for (int i = 0; i < scoreProperties.length; i += 2) {
            score.property(scoreProperties[i], scoreProperties[i + 1]);
        }
        return ChainRunner.with(score, new ScoreSink())
                .and(binding("Policy").priority(200).rule("RCPT TO=*@example.com")
                        .property("strict", "bob@example.com").property("notify", "postmaster@example.com"), new PolicySink());
    }

    private static FakeSubmission mail(String subject) {
        return FakeSubmission.builder().id("m1")
                .from("x@example.net").to("alice@example.com", "bob@example.com")
                .header("Subject", subject).body("hello\r\n")
                .build();
    }

    @Test
    void aShoutedMessageIsRefusedToStrictRecipientsAndMarkedForTheOthers() {
        ChainResult r = chain().run(mail("BUY NOW"));

        assertThat(r.notes().get(ScoreSink.SCORE)).contains(6.0);
        assertThat(r.recipientFates()).containsEntry("bob@example.com", RecipientFate.reject("spam score 6.0"));
        assertThat(r.recipients()).containsExactly("alice@example.com");
        assertThat(r.submission().bodyAsString()).isEqualTo("hello\r\n-- \r\nWarning: this looks like spam (score 6.0).\r\n");
        assertThat(r.sent()).singleElement().satisfies((SentMail notice) -> {
            assertThat(notice.recipients()).containsExactly("postmaster@example.com");
            assertThat(notice.contentAsString()).contains("Message m1 scored 6.0.");
        });
        assertThat(r.fate()).isEqualTo(Fate.deliver());
    }

    @Test
    void aQuietMessagePassesUnchanged() {
        ChainResult r = chain().run(mail("hello"));

        assertThat(r.recipients()).containsExactly("alice@example.com", "bob@example.com");
        assertThat(r.submission().bodyAsString()).isEqualTo("hello\r\n");
        assertThat(r.sent()).isEmpty();
    }

    @Test
    void theNoticeItselfPassesThePolicyUntouched() {
        var all = chain().runAll(mail("BUY NOW"));

        assertThat(all).hasSize(2);
        assertThat(all.get(1).recipients()).containsExactly("postmaster@example.com");
        assertThat(all.get(1).sent()).isEmpty();
    }

    @Test
    void whileScoringIsPausedMailWaits() {
        ChainResult r = chain("paused", "true").run(mail("BUY NOW"));

        assertThat(r.fate()).isEqualTo(Fate.defer("scoring is paused", Duration.ofMinutes(5)));
        assertThat(r.ran()).containsExactly("Score");
    }
}
