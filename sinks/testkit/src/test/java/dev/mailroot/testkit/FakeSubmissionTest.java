package dev.mailroot.testkit;

import dev.mailroot.sink.MailLoopException;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.Source;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory submission behaves as the server's submission does, as a sink author relies on. */
class FakeSubmissionTest {

    private static FakeSubmission mail() {
        return FakeSubmission.builder().from("a@example.org").to("b@example.com", "c@example.com")
                .header("Subject", "hi").header("X-Folded", "one").body("text\r\n").build();
    }

    @Test
    void builderMakesSmtpMailWithCrlfHeadersAndBody() throws Exception {
        FakeSubmission s = mail();
        assertThat(s.source()).isEqualTo(Source.SMTP);
        assertThat(s.envelope().helo()).contains("client.example.org");
        assertThat(s.envelope().pickupFileName()).isEmpty();
        assertThat(s.contentAsString()).isEqualTo("Subject: hi\r\nX-Folded: one\r\n\r\ntext\r\n");
        assertThat(new String(s.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("text\r\n");
        assertThat(s.size()).isEqualTo(s.contentAsString().length());
        assertThat(s.mimeMessage().getSubject()).isEqualTo("hi");
    }

    @Test
    void pickupMailHasAFileNameAndNoClient() {
        FakeSubmission s = FakeSubmission.builder().pickupFile("a.eml").to("b@example.com").build();
        assertThat(s.source()).isEqualTo(Source.PICKUP);
        assertThat(s.envelope().pickupFileName()).contains("a.eml");
        assertThat(s.envelope().helo()).isEmpty();
        assertThat(s.envelope().clientAddress()).isEmpty();
    }

    @Test
    void aSubmissionNeedsARecipient() {
        assertThatThrownBy(() -> FakeSubmission.builder().from("a@example.org").build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recipientsAreUniqueCaseInsensitivelyAndKeepTheirOrder() {
        FakeEnvelope e = mail().envelope();
        assertThat(e.addRecipient("B@Example.com")).isFalse();
        assertThat(e.addRecipient("d@example.com")).isTrue();
        assertThat(e.replaceRecipient("b@EXAMPLE.com", "x@example.com")).isTrue();
        assertThat(e.recipients()).containsExactly("x@example.com", "c@example.com", "d@example.com");
        assertThat(e.replaceRecipient("x@example.com", "c@example.com")).isTrue();
        assertThat(e.recipients()).containsExactly("c@example.com", "d@example.com");
        assertThat(e.removeRecipient("nobody@example.com")).isFalse();
    }

    @Test
    void addressesAreRefusedAsTheServerRefusesThemAndNothingChanges() {
        FakeEnvelope e = mail().envelope();
        for (String bad : new String[]{"", "a b@x", "<a@x>", "a\r\n@x", "a\u007f@x", "a".repeat(321)}) {
            assertThatThrownBy(() -> e.addRecipient(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> e.setMailFrom(bad.isEmpty() ? null : bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> e.setRecipients(List.of("ok@x", "not ok@x"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.recipients()).containsExactly("b@example.com", "c@example.com");
        e.setMailFrom("");
        assertThat(e.mailFrom()).isEmpty();
    }

    @Test
    void headersAreCaseInsensitiveUnfoldedAndUntouchedFieldsKeepTheirBytes() {
        FakeSubmission s = FakeSubmission.builder().to("b@example.com")
                .message("Subject: one\r\nX-Long: a\r\n\tb\r\nsubject: two\r\n\r\nbody\r\n").build();
        assertThat(s.headers().first("SUBJECT")).contains("one");
        assertThat(s.headers().all("subject")).containsExactly("one", "two");
        assertThat(s.headers().first("x-long")).contains("a\tb");
        s.headers().set("Subject", "three");
        s.headers().add("X-New", "v");
        assertThat(s.headers().names()).containsExactly("Subject", "X-Long", "X-New");
        assertThat(s.contentAsString()).isEqualTo("Subject: three\r\nX-Long: a\r\n\tb\r\nX-New: v\r\n\r\nbody\r\n");
        assertThat(s.headers().remove("x-new")).isEqualTo(1);
        assertThat(s.headers().first("X-New")).isEmpty();
    }

    @Test
    void headerInjectionIsRefused() {
        FakeHeaders h = mail().headers();
        assertThatThrownBy(() -> h.add("X-A", "v\r\nBcc: evil@x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X A", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.set("X:A", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X-A", "nul\0")).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.names()).containsExactly("Subject", "X-Folded");
    }

    @Test
    void replaceBodyTakesEffectWhenTheStreamIsClosed() throws Exception {
        FakeSubmission s = mail();
        OutputStream out = s.replaceBody();
        out.write("new body\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.bodyAsString()).isEqualTo("text\r\n");
        out.close();
        assertThat(s.contentAsString()).isEqualTo("Subject: hi\r\nX-Folded: one\r\n\r\nnew body\r\n");
    }

    @Test
    void replaceMessageReadsTheHeaderSectionAnew() throws Exception {
        FakeSubmission s = mail();
        try (OutputStream out = s.replaceMessage()) {
            out.write("Subject: replaced\r\n\r\nall new\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(s.headers().first("Subject")).contains("replaced");
        assertThat(s.headers().first("X-Folded")).isEmpty();
        assertThat(s.bodyAsString()).isEqualTo("all new\r\n");
        try (var in = s.content()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Subject: replaced\r\n\r\nall new\r\n");
        }
    }

    @Test
    void notesAreTypedAndKeepTheirOrder() {
        Note<Double> score = Note.of("rspamd.score", Double.class);
        Note<String> scoreAsText = Note.of("rspamd.score", String.class);
        FakeSubmission s = FakeSubmission.builder().to("b@example.com").note(Note.of("a.first", Boolean.class), true).build();
        s.notes().put(score, 7.5);
        assertThat(s.notes().get(score)).contains(7.5);
        assertThat(s.notes().names()).containsExactly("a.first", "rspamd.score");
        assertThatThrownBy(() -> s.notes().get(scoreAsText)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.notes().put(scoreAsText, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.notes().put(scoreAsText, "x".repeat(65537))).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.notes().remove("rspamd.score")).isTrue();
        assertThat(s.notes().get(score)).isEmpty();
    }

    @Test
    void aRecipientFateTakesTheRecipientOutOfTheEnvelope() {
        FakeSubmission s = mail();
        assertThat(s.setRecipientFate("C@example.com", RecipientFate.reject("no such user"))).isTrue();
        assertThat(s.setRecipientFate("nobody@example.com", RecipientFate.drop("x"))).isFalse();
        assertThat(s.envelope().recipients()).containsExactly("b@example.com");
        assertThat(s.recipientFates()).containsExactly(java.util.Map.entry("c@example.com", RecipientFate.reject("no such user")));
    }

    @Test
    void sentMailIsCollectedWithAMessageIdAndDateAndAGeneration() throws Exception {
        FakeSubmission s = mail();
        String id = s.send("", List.of("admin@example.com"), out -> out.write("Subject: note\r\n\r\nseen\r\n".getBytes(StandardCharsets.US_ASCII)));
        SentMail sent = s.sent().get(0);
        assertThat(sent.id()).isEqualTo(id);
        assertThat(sent.generation()).isEqualTo(1);
        assertThat(sent.contentAsString()).startsWith("Subject: note\r\nMessage-ID: <" + id + "@mailroot.test>\r\nDate: ")
                .endsWith("\r\n\r\nseen\r\n");
        FakeSubmission again = sent.asSubmission();
        assertThat(again.source()).isEqualTo(Source.SINK);
        assertThat(again.envelope().helo()).isEmpty();
        assertThat(again.envelope().recipients()).containsExactly("admin@example.com");
    }

    @Test
    void sendRefusesBadAddressesAndLoops() {
        FakeSubmission s = mail();
        assertThatThrownBy(() -> s.send("", List.of(), out -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.send("", List.of("a b@x"), out -> { })).isInstanceOf(IllegalArgumentException.class);
        FakeSubmission fifth = FakeSubmission.builder().to("b@example.com").generation(5).build();
        assertThatThrownBy(() -> fifth.send("", List.of("c@example.com"), out -> { })).isInstanceOf(MailLoopException.class);
        assertThat(fifth.sent()).isEmpty();
    }

    @Test
    void arrivalTimeIsFixedForRepeatableTests() {
        assertThat(mail().envelope().arrivalTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }
}
