package dev.mailroot.server.sieve;

import dev.mailroot.server.sieve.SieveAction.Discard;
import dev.mailroot.server.sieve.SieveAction.FileInto;
import dev.mailroot.server.sieve.SieveAction.Keep;
import dev.mailroot.server.sieve.SieveAction.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The actions and tests of RFC 5228, as a mailbox owner's script meets them. */
class SieveScriptsTest {

    static final SieveScripts SIEVE = new SieveScripts();

    static SieveMail mail(String sender, String recipient, String... lines) {
        String text = String.join("\r\n", lines) + "\r\n";
        if (!text.contains("\r\n\r\n")) {
            text += "\r\nbody\r\n";
        }
        return SieveMail.of(sender, recipient, text.getBytes(StandardCharsets.UTF_8));
    }

    static final SieveMail REPORT = mail("alice@work.example", "bob@example.com",
            "From: Alice <alice@work.example>",
            "To: Bob <bob@example.com>, team@example.com",
            "Subject: Weekly report",
            "X-Spam-Flag: NO",
            "Message-ID: <r1@work.example>");

    static Decision run(String script, SieveMail mail) throws SieveSyntaxError {
        return SIEVE.evaluate(SIEVE.compile(script), mail);
    }

    @Test
    void anEmptyScriptKeepsTheMessage() throws Exception {
        Decision d = run("", REPORT);
        assertThat(d.actions()).containsExactly(new Keep());
        assertThat(d.errors()).isEmpty();
    }

    @Test
    void fileintoFilesAndCancelsTheImplicitKeep() throws Exception {
        Decision d = run("require \"fileinto\";\nif header :contains \"Subject\" \"report\" { fileinto \"Work/Reports\"; }",
                REPORT);
        assertThat(d.actions()).containsExactly(new FileInto("Work/Reports"));
        assertThat(d.keeps()).isFalse();
        assertThat(d.folders()).containsExactly("Work/Reports");
    }

    @Test
    void explicitKeepWithFileintoDeliversToBoth() throws Exception {
        Decision d = run("require [\"fileinto\"]; fileinto \"Archive\"; keep;", REPORT);
        assertThat(d.actions()).containsExactly(new FileInto("Archive"), new Keep());
    }

    @Test
    void theSameFolderTwiceIsFiledOnce() throws Exception {
        Decision d = run("require \"fileinto\"; fileinto \"A\"; fileinto \"A\"; keep; keep;", REPORT);
        assertThat(d.actions()).containsExactly(new FileInto("A"), new Keep());
    }

    @Test
    void redirectForwardsAndCancelsTheImplicitKeep() throws Exception {
        Decision d = run("redirect \"carol@example.org\";", REPORT);
        assertThat(d.actions()).containsExactly(new Redirect("carol@example.org"));
        assertThat(run("redirect \"carol@example.org\"; keep;", REPORT).actions())
                .containsExactly(new Redirect("carol@example.org"), new Keep());
    }

    @Test
    void discardDropsTheMessage() throws Exception {
        Decision d = run("if header :is \"X-Spam-Flag\" \"NO\" { discard; }", REPORT);
        assertThat(d.actions()).containsExactly(new Discard());
        assertThat(d.keeps()).isFalse();
    }

    @Test
    void stopEndsTheScriptWithTheImplicitKeepStillInForce() throws Exception {
        Decision d = run("require \"fileinto\"; if true { stop; } fileinto \"Never\";", REPORT);
        assertThat(d.actions()).containsExactly(new Keep());
        assertThat(run("discard; stop; keep;", REPORT).actions()).containsExactly(new Discard());
    }

    @Test
    void envelopeTestsSenderAndRecipientByPart() throws Exception {
        String script = """
                require ["envelope", "fileinto"];
                if envelope :domain :is "from" "WORK.example" { fileinto "from-work"; }
                if envelope :localpart :is "to" "bob" { fileinto "to-bob"; }
                if envelope :all :is "to" "bob@example.com" { fileinto "to-bob-all"; }
                if envelope :matches "from" "*@elsewhere.example" { fileinto "wrong"; }
                """;
        assertThat(run(script, REPORT).folders()).containsExactly("from-work", "to-bob", "to-bob-all");
    }

    @Test
    void theNullSenderIsTheEmptyString() throws Exception {
        String script = "require [\"envelope\", \"fileinto\"]; if envelope :is \"from\" \"\" { fileinto \"bounces\"; }";
        assertThat(run(script, mail("", "bob@example.com", "Subject: failure")).folders()).containsExactly("bounces");
        assertThat(run(script, REPORT).folders()).isEmpty();
    }

    @Test
    void headerMatchTypesIsContainsMatchesIgnoreCaseByDefault() throws Exception {
        String script = """
                require "fileinto";
                if header :is "subject" "weekly REPORT" { fileinto "is"; }
                if header :is "subject" "weekly" { fileinto "is-partial"; }
                if header :contains "Subject" "REP" { fileinto "contains"; }
                if header :matches "Subject" "W*rep?rt" { fileinto "matches"; }
                if header :matches "Subject" "report*" { fileinto "matches-anchored"; }
                if header :comparator "i;octet" :is "Subject" "weekly report" { fileinto "octet"; }
                """;
        assertThat(run(script, REPORT).folders()).containsExactly("is", "contains", "matches");
    }

    @Test
    void headerValuesAreUnfoldedAndEncodedWordsDecoded() throws Exception {
        SieveMail folded = mail("a@x.example", "bob@example.com",
                "Subject: a long",
                "  folded subject",
                "X-Note: =?UTF-8?Q?caf=C3=A9?=");
        String script = """
                require "fileinto";
                if header :is "Subject" "a long  folded subject" { fileinto "unfolded"; }
                if header :contains "X-Note" "café" { fileinto "decoded"; }
                """;
        assertThat(run(script, folded).folders()).containsExactly("unfolded", "decoded");
    }

    @Test
    void addressTestComparesTheAddressesInAField() throws Exception {
        String script = """
                require "fileinto";
                if address :is "to" "team@example.com" { fileinto "team"; }
                if address :domain :is "from" "work.example" { fileinto "work"; }
                if address :localpart :is "from" "Alice" { fileinto "alice"; }
                if address :all :contains "from" "Alice <" { fileinto "display-name"; }
                """;
        assertThat(run(script, REPORT).folders()).containsExactly("team", "work", "alice");
    }

    @Test
    void aBrokenAddressFieldDoesNotStopTheScript() throws Exception {
        SieveMail broken = mail("a@x.example", "bob@example.com", "From: <<<@@", "To: bob@example.com");
        Decision d = run("require \"fileinto\"; if address :is \"to\" \"bob@example.com\" { fileinto \"ok\"; }"
                + " if address :is \"from\" \"x\" { discard; }", broken);
        assertThat(d.folders()).containsExactly("ok");
        assertThat(d.errors()).isEmpty();
    }

    @Test
    void sizeOverAndUnderWithQuantifiers() throws Exception {
        SieveMail big = mail("a@x.example", "bob@example.com", "Subject: big", "", "x".repeat(3000));
        String script = """
                require "fileinto";
                if size :over 2K { fileinto "over-2k"; }
                if size :under 1M { fileinto "under-1m"; }
                if size :over 1M { fileinto "over-1m"; }
                """;
        assertThat(run(script, big).folders()).containsExactly("over-2k", "under-1m");
        assertThat(run(script, REPORT).folders()).containsExactly("under-1m");
    }

    @Test
    void existsAllofAnyofNot() throws Exception {
        String script = """
                require "fileinto";
                if exists ["From", "Message-ID"] { fileinto "exists-all"; }
                if exists ["From", "X-Missing"] { fileinto "exists-some"; }
                if allof (exists "From", header :contains "Subject" "report") { fileinto "allof"; }
                if allof (exists "From", header :contains "Subject" "invoice") { fileinto "allof-false"; }
                if anyof (false, header :contains "Subject" "report") { fileinto "anyof"; }
                if not exists "X-Missing" { fileinto "not"; }
                if header :contains "Subject" "invoice" { fileinto "if"; }
                elsif header :contains "Subject" "weekly" { fileinto "elsif"; }
                else { fileinto "else"; }
                """;
        assertThat(run(script, REPORT).folders()).containsExactly("exists-all", "allof", "anyof", "not", "elsif");
    }

    @Test
    void multiLineStringsWorkWithUnixLineEnds() throws Exception {
        String script = "require \"vacation\";\nvacation text:\nI am away.\n..and back soon.\n.\n;\n";
        Decision d = run(script, REPORT);
        assertThat(d.vacation()).get().extracting(SieveAction.Vacation::reason)
                .isEqualTo("I am away.\r\n.and back soon."); // jSieve drops the last line end (RFC 5228 keeps it)
        assertThat(d.keeps()).isTrue();
    }

    @Test
    void aCompiledScriptGivesTheSameAnswerOnManyThreadsAtOnce() throws Exception {
        SieveScripts.Compiled script = SIEVE.compile("""
                require ["fileinto", "envelope"];
                if envelope :localpart :is "to" "bob" { fileinto "bob"; } else { fileinto "other"; }
                """);
        List<Thread> threads = new java.util.ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < 8; t++) {
            String who = t % 2 == 0 ? "bob" : "carol";
            threads.add(new Thread(() -> {
                for (int i = 0; i < 300; i++) {
                    List<String> folders = SIEVE.evaluate(script, mail("a@x.example", who + "@example.com", "Subject: s"))
                            .folders();
                    if (!folders.equals(List.of(who.equals("bob") ? "bob" : "other"))) {
                        failures.add(new AssertionError(who + " got " + folders));
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }
}
