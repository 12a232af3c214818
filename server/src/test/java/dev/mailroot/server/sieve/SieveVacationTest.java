package dev.mailroot.server.sieve;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.mailroot.server.sieve.SieveScriptsTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5230: who gets a vacation reply, how often, and what it looks like. */
class SieveVacationTest {

    static final SieveScripts SIEVE = new SieveScripts();
    static final Instant T0 = Instant.parse("2025-07-01T09:00:00Z");
    static final List<String> BOB = List.of("bob@example.com");

    @TempDir
    Path state;

    static SieveAction.Vacation vacation(String script) throws SieveSyntaxError {
        Decision d = SIEVE.evaluate(SIEVE.compile(script), SieveScriptsTest.REPORT);
        assertThat(d.keeps()).as("vacation keeps the message").isTrue();
        return d.vacation().orElseThrow();
    }

    static final String AWAY = "require \"vacation\"; vacation :days 3 :subject \"Away\" \"I am away until Monday.\";";

    @Test
    void theVacationActionCarriesItsParametersAndDefaults() throws Exception {
        SieveAction.Vacation v = vacation("""
                require "vacation";
                vacation :days 10 :subject "Out" :from "Bob <bob@example.com>" :addresses ["b@example.com"]
                         :handle "summer" "Back in August.";
                """);
        assertThat(v.period()).isEqualTo(Duration.ofDays(10));
        assertThat(v.subject()).contains("Out");
        assertThat(v.from()).contains("Bob <bob@example.com>");
        assertThat(v.addresses()).containsExactly("b@example.com");
        assertThat(v.handle()).isEqualTo("summer");
        assertThat(v.reason()).isEqualTo("Back in August.");
        assertThat(v.mime()).isFalse();

        SieveAction.Vacation plain = vacation("require \"vacation\"; vacation \"Away.\";");
        assertThat(plain.period()).isEqualTo(Duration.ofDays(7));
        assertThat(vacation("require \"vacation\"; vacation :days 0 \"Away.\";").period()).isEqualTo(Duration.ofDays(1));
        assertThat(plain.handle()).isNotEqualTo(vacation("require \"vacation\"; vacation \"Away!\";").handle())
                .isEqualTo(vacation("require \"vacation\"; vacation \"Away.\";").handle());
    }

    @Test
    void aSenderIsAnsweredOncePerPeriodEvenAcrossARestart() throws Exception {
        SieveAction.Vacation v = vacation(AWAY);
        VacationMemory memory = new VacationMemory(state);
        assertThat(memory.shouldReply("bob", v.handle(), "alice@work.example", v.period(), T0)).isTrue();
        assertThat(memory.shouldReply("bob", v.handle(), "Alice@Work.example", v.period(), T0.plusSeconds(60))).isFalse();
        assertThat(memory.shouldReply("bob", v.handle(), "carol@work.example", v.period(), T0.plusSeconds(60))).isTrue();
        assertThat(memory.shouldReply("dave", v.handle(), "alice@work.example", v.period(), T0.plusSeconds(60))).isTrue();

        VacationMemory afterRestart = new VacationMemory(state);
        assertThat(afterRestart.shouldReply("bob", v.handle(), "alice@work.example", v.period(),
                T0.plus(Duration.ofDays(3)).minusSeconds(1))).isFalse();
        assertThat(afterRestart.shouldReply("bob", "another-handle", "alice@work.example", v.period(),
                T0.plusSeconds(120))).isTrue();
        assertThat(afterRestart.shouldReply("bob", v.handle(), "alice@work.example", v.period(),
                T0.plus(Duration.ofDays(3)))).isTrue();
        assertThat(afterRestart.shouldReply("bob", v.handle(), "alice@work.example", v.period(),
                T0.plus(Duration.ofDays(4)))).isFalse();
        try (var files = Files.list(state)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("bob.vacation", "dave.vacation");
        }
        assertThat(Files.readString(state.resolve("bob.vacation"))).doesNotContain("alice");
    }

    @Test
    void aPeriodShorterThanADayIsADay() throws Exception {
        VacationMemory memory = new VacationMemory(state);
        assertThat(memory.shouldReply("bob", "h", "a@x.example", Duration.ofMinutes(1), T0)).isTrue();
        assertThat(memory.shouldReply("bob", "h", "a@x.example", Duration.ofMinutes(1), T0.plus(Duration.ofHours(23)))).isFalse();
        assertThat(memory.shouldReply("bob", "h", "a@x.example", Duration.ofMinutes(1), T0.plus(Duration.ofDays(1)))).isTrue();
    }

    @Test
    void theNullSenderIsNeverAnswered() throws Exception {
        assertThat(new VacationMemory(state).shouldReply("bob", "h", "", Duration.ofDays(7), T0)).isFalse();
        SieveMail bounce = mail("", "bob@example.com", "To: bob@example.com", "Subject: Undeliverable");
        assertThat(VacationReply.refusal(bounce, vacation(AWAY), BOB)).contains("null sender");
    }

    @Test
    void listsAutomaticMailAndMailNotAddressedToTheMailboxAreNotAnswered() throws Exception {
        SieveAction.Vacation v = vacation(AWAY);
        String to = "To: Bob <bob@example.com>";
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", to, "Auto-Submitted: auto-replied"), v, BOB))
                .get().asString().startsWith("Auto-Submitted");
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", to, "Auto-Submitted: No"), v, BOB)).isEmpty();
        for (String precedence : List.of("bulk", "list", "Junk")) {
            assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", to, "Precedence: " + precedence), v, BOB))
                    .as(precedence).isPresent();
        }
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", to, "List-Id: <dev.lists.example>"), v, BOB))
                .isPresent();
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", to, "List-Unsubscribe: <mailto:u@x>"), v, BOB))
                .isPresent();
        assertThat(VacationReply.refusal(mail("owner-dev@lists.example", "bob@example.com", to), v, BOB)).isPresent();
        assertThat(VacationReply.refusal(mail("MAILER-DAEMON@x.example", "bob@example.com", to), v, BOB)).isPresent();
        assertThat(VacationReply.refusal(mail("bob@example.com", "bob@example.com", to), v, BOB))
                .contains("sender is the mailbox itself");
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", "To: team@example.com"), v, BOB))
                .contains("the mailbox is not in To or Cc");
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", "To: x@y.example", "Cc: BOB@example.com"), v, BOB))
                .isEmpty();
    }

    @Test
    void addressesListedInTheScriptCountAsTheMailboxs() throws Exception {
        SieveAction.Vacation v = vacation("require \"vacation\"; vacation :addresses [\"robert@example.org\"] \"Away.\";");
        assertThat(VacationReply.refusal(mail("a@x.example", "bob@example.com", "To: robert@example.org"), v, BOB)).isEmpty();
        assertThat(VacationReply.refusal(mail("robert@example.org", "bob@example.com", "To: bob@example.com"), v, BOB))
                .isPresent();
    }

    @Test
    void manyDeliveriesAtOnceForOneSenderAnswerOnce() throws Exception {
        VacationMemory memory = new VacationMemory(state);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < threads * 4; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return memory.shouldReply("bob", "h", "alice@work.example", Duration.ofDays(7), T0);
                }));
            }
            go.countDown();
            int yes = 0;
            for (Future<Boolean> f : answers) {
                yes += f.get() ? 1 : 0;
            }
            assertThat(yes).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theMemoryOfAMailboxStaysSmall() throws Exception {
        VacationMemory memory = new VacationMemory(state);
        for (int i = 0; i < VacationMemory.MAX_ENTRIES + 200; i++) {
            memory.shouldReply("bob", "h", "s" + i + "@x.example", Duration.ofDays(7), T0.plusSeconds(i));
        }
        assertThat(Files.readAllLines(state.resolve("bob.vacation"))).hasSize(VacationMemory.MAX_ENTRIES + 1);
        assertThat(memory.shouldReply("bob", "h", (VacationMemory.MAX_ENTRIES + 199) + "@x.example",
                Duration.ofDays(7), T0.plusSeconds(5000))).isTrue();
        assertThat(memory.shouldReply("bob", "h", "s" + (VacationMemory.MAX_ENTRIES + 199) + "@x.example",
                Duration.ofDays(7), T0.plusSeconds(5000))).isFalse();
    }

    @Test
    void theReplyIsAnAutoRepliedMessageToTheSenderThreadedToTheOriginal() throws Exception {
        SieveMail original = mail("alice@work.example", "bob@example.com",
                "From: Alice <alice@work.example>", "To: bob@example.com", "Subject: Lunch?",
                "Message-ID: <m2@work.example>", "References: <m1@work.example>");
        SieveAction.Vacation v = vacation("require \"vacation\"; vacation \"I am away.\nBack Monday.\";");
        String reply = new String(VacationReply.build(original, v, "bob@example.com",
                ZonedDateTime.of(2025, 7, 1, 9, 0, 0, 0, ZoneOffset.UTC), "v1@mail.example.com"), StandardCharsets.UTF_8);
        assertThat(reply).startsWith("From: bob@example.com\r\nTo: <alice@work.example>\r\nSubject: Auto: Lunch?\r\n")
                .contains("\r\nDate: Tue, 1 Jul 2025 09:00:00 GMT\r\n")
                .contains("\r\nMessage-ID: <v1@mail.example.com>\r\n")
                .contains("\r\nIn-Reply-To: <m2@work.example>\r\n")
                .contains("\r\nReferences: <m1@work.example> <m2@work.example>\r\n")
                .contains("\r\nAuto-Submitted: auto-replied (vacation)\r\n")
                .contains("\r\nContent-Type: text/plain; charset=UTF-8\r\n")
                .endsWith("\r\n\r\nI am away.\r\nBack Monday.\r\n");
        assertThat(reply.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
        assertThat(VacationReply.ENVELOPE_SENDER).isEmpty();
    }

    @Test
    void aGivenSubjectAndFromAreUsedAndEncodedAndCannotInjectFields() throws Exception {
        SieveAction.Vacation v = new SieveAction.Vacation(Duration.ofDays(7), Optional.of("Abwesend – Urlaub\r\nBcc: x@evil.example"),
                Optional.of("Bob <bob@example.com>"), List.of(), "Bin weg.", "h", false);
        String reply = new String(VacationReply.build(SieveScriptsTest.REPORT, v, "bob@example.com",
                ZonedDateTime.of(2025, 7, 1, 9, 0, 0, 0, ZoneOffset.UTC), "v2@mail.example.com"), StandardCharsets.UTF_8);
        assertThat(reply).startsWith("From: Bob <bob@example.com>\r\n").contains("\r\nSubject: =?UTF-8?Q?")
                .doesNotContain("\r\nBcc:");
    }

    @Test
    void aMimeReasonBecomesTheReplysBody() throws Exception {
        SieveAction.Vacation v = vacation("""
                require "vacation";
                vacation :mime text:
                Content-Type: text/plain; charset=US-ASCII

                Away.
                .
                ;
                """);
        assertThat(v.mime()).isTrue();
        String reply = new String(VacationReply.build(SieveScriptsTest.REPORT, v, "bob@example.com",
                ZonedDateTime.of(2025, 7, 1, 9, 0, 0, 0, ZoneOffset.UTC), "v3@mail.example.com"), StandardCharsets.UTF_8);
        assertThat(reply).contains("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nAway.\r\n")
                .doesNotContain("charset=UTF-8");
    }
}
