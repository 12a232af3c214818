package dev.mailroot.testkit;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Submission;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.mailroot.testkit.TestBinding.binding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runner runs a chain as the server's OnSubmission stage does. */
class ChainRunnerTest {

    /** Adds the header its properties name; logs. */
    public static final class Tag implements OnSubmissionSink {
        @Override
        public SinkStatus onSubmission(Submission s, SinkContext ctx) {
            s.headers().add(ctx.properties().get("header"), ctx.properties().getOrDefault("value", ""));
            ctx.logger().info("tagged {}", s.id());
            return SinkStatus.RUN_NEXT_SINK;
        }
    }

    /** Changes everything it can, then throws. */
    public static final class Vandal implements OnSubmissionSink {
        @Override
        public SinkStatus onSubmission(Submission s, SinkContext ctx) throws Exception {
            s.envelope().setMailFrom("evil@example.net");
            s.envelope().addRecipient("evil@example.net");
            s.headers().add("X-Vandal", "yes");
            s.notes().put(Note.of("vandal.was.here", Boolean.class), true);
            s.setRecipientFate(s.envelope().recipients().get(0), RecipientFate.drop("gone"));
            try (OutputStream out = s.replaceBody()) {
                out.write("vandalised\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            s.setFate(Fate.deliver());
            throw new IllegalStateException("backend down");
        }
    }

    /** Returns the status its property names, after noting that it ran. */
    public static final class Status implements OnSubmissionSink {
        @Override
        public SinkStatus onSubmission(Submission s, SinkContext ctx) {
            s.headers().add("X-Ran", ctx.bindingName());
            String fate = ctx.properties().getOrDefault("fate", "deliver");
            switch (fate) {
                case "badmail" -> s.setFate(Fate.badmail("spam"));
                case "defer" -> s.setFate(Fate.defer("scanner down", Duration.ofMinutes(5)));
                default -> { }
            }
            return SinkStatus.valueOf(ctx.properties().getOrDefault("status", "RUN_NEXT_SINK"));
        }
    }

    /** Rejects the recipients its property lists. */
    public static final class Reject implements OnSubmissionSink {
        @Override
        public SinkStatus onSubmission(Submission s, SinkContext ctx) {
            for (String r : ctx.properties().get("reject").split(",")) {
                s.setRecipientFate(r, RecipientFate.reject("no such user"));
            }
            return SinkStatus.RUN_NEXT_SINK;
        }
    }

    /** Sends a notification for every message: a loop when the notification matches its own rule. */
    public static final class Notify implements OnSubmissionSink {
        @Override
        public SinkStatus onSubmission(Submission s, SinkContext ctx) throws Exception {
            s.send("", List.of("admin@example.com"), out -> out.write("Subject: seen\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            return SinkStatus.RUN_NEXT_SINK;
        }
    }

    @DefaultBinding(id = "{9C1A7E2B-3D4F-4A5B-8C6D-7E8F9A0B1C2D}", name = "Tag sales", rule = "RCPT TO=sales@*",
            priority = 10, properties = {"header=X-Team", "value=sales"})
    public static final class DefaultTag implements OnSubmissionSink {
        @Override
        public SinkStatus onSubmission(Submission s, SinkContext ctx) {
            s.headers().add(ctx.properties().get("header"), ctx.properties().get("value"));
            return SinkStatus.RUN_NEXT_SINK;
        }
    }

    private static FakeSubmission mail(String... to) {
        return FakeSubmission.builder().id("m1").from("a@example.org").to(to).header("Subject", "hi").body("text\r\n").build();
    }

    @Test
    void bindingsRunByPriorityLowerFirstAndOnlyWhenTheirRuleMatches() {
        Status sink = new Status();
        ChainResult r = ChainRunner.with(binding("late").priority(300), sink)
                .and(binding("early").priority(100), sink)
                .and(binding("other domain").priority(0).rule("RCPT TO=*@elsewhere.org"), sink)
                .and(binding("off").priority(0).disabled(), sink)
                .and(binding("from a").priority(200).rule("MAIL FROM=a@*"), sink)
                .run(mail("b@example.com"));
        assertThat(r.selected()).containsExactly("early", "from a", "late");
        assertThat(r.ran()).containsExactly("early", "from a", "late");
        assertThat(r.headers().all("X-Ran")).containsExactly("early", "from a", "late");
        assertThat(r.fate()).isEqualTo(Fate.deliver());
        assertThat(r.stoppedBy()).isEmpty();
    }

    @Test
    void samePriorityRunsByName() {
        Status sink = new Status();
        ChainResult r = ChainRunner.with(binding("b").priority(5), sink).and(binding("a").priority(5), sink).run(mail("b@example.com"));
        assertThat(r.ran()).containsExactly("a", "b");
    }

    @Test
    void skipRemainingSinksEndsTheChainAndTheMessageIsStillDelivered() {
        Status sink = new Status();
        ChainResult r = ChainRunner.with(binding("first").priority(1).property("status", "SKIP_REMAINING_SINKS"), sink)
                .and(binding("second").priority(2), sink).run(mail("b@example.com"));
        assertThat(r.selected()).containsExactly("first", "second");
        assertThat(r.ran()).containsExactly("first");
        assertThat(r.fate().kind()).isEqualTo(Fate.Kind.DELIVER);
    }

    @Test
    void aFateOtherThanDeliverEndsTheChain() {
        Status sink = new Status();
        ChainResult r = ChainRunner.with(binding("judge").priority(1).property("fate", "badmail"), sink)
                .and(binding("after").priority(2), sink).run(mail("b@example.com"));
        assertThat(r.ran()).containsExactly("judge");
        assertThat(r.fate()).isEqualTo(Fate.badmail("spam"));
        assertThat(r.stoppedBy()).contains("judge");
        assertThat(r.headers().all("X-Ran")).containsExactly("judge");
    }

    @Test
    void aDeferringCallHasItsOwnChangesUndoneAndEarlierOnesKept() {
        Status sink = new Status();
        ChainResult r = ChainRunner.with(binding("before").priority(1), sink)
                .and(binding("scanner").priority(2).property("fate", "defer"), sink)
                .and(binding("after").priority(3), sink).run(mail("b@example.com"));
        assertThat(r.ran()).containsExactly("before", "scanner");
        assertThat(r.trace().get(1).outcome()).isEqualTo(Call.Outcome.DEFERRED);
        assertThat(r.fate()).isEqualTo(Fate.defer("scanner down", Duration.ofMinutes(5)));
        assertThat(r.headers().all("X-Ran")).containsExactly("before");
    }

    @Test
    void aFailedCallIsUndoneWholeAndTheChainGoesOnByDefault() {
        ChainResult r = ChainRunner.with(binding("vandal").priority(1), new Vandal())
                .and(binding("tag").priority(2).property("header", "X-Tag"), new Tag())
                .run(mail("b@example.com", "c@example.com"));
        Call failed = r.trace().get(0);
        assertThat(failed.outcome()).isEqualTo(Call.Outcome.FAILED);
        assertThat(failed.failure()).get().asString().contains("backend down");
        assertThat(r.submission().envelope().mailFrom()).isEqualTo("a@example.org");
        assertThat(r.recipients()).containsExactly("b@example.com", "c@example.com");
        assertThat(r.recipientFates()).isEmpty();
        assertThat(r.notes().names()).isEmpty();
        assertThat(r.contentAsString()).isEqualTo("Subject: hi\r\nX-Tag: \r\n\r\ntext\r\n");
        assertThat(r.fate()).isEqualTo(Fate.deliver());
        assertThat(r.ran()).containsExactly("vandal", "tag");
        assertThat(r.logs()).extracting(LogLine::message).containsExactly("tagged m1");
    }

    @Test
    void onErrorBadmailAndDeferDecideTheFateOfAFailedCall() {
        ChainResult badmail = ChainRunner.with(binding("vandal").property("onError", "badmail"), new Vandal()).run(mail("b@example.com"));
        assertThat(badmail.fate().kind()).isEqualTo(Fate.Kind.BADMAIL);
        assertThat(badmail.fate().reason()).contains("'vandal'", "backend down", "(onError=badmail)");
        assertThat(badmail.stoppedBy()).contains("vandal");

        ChainResult defer = ChainRunner.with(binding("vandal").property("onError", "defer"), new Vandal()).run(mail("b@example.com"));
        assertThat(defer.fate().kind()).isEqualTo(Fate.Kind.DEFER);
        assertThat(defer.fate().retryAfter()).isEqualTo(Duration.ZERO);
    }

    @Test
    void fiveFailuresInARowDisableTheBinding() {
        ChainRunner runner = ChainRunner.with(binding("vandal"), new Vandal());
        for (int i = 0; i < 5; i++) {
            assertThat(runner.run(mail("b@example.com")).ran()).containsExactly("vandal");
        }
        assertThat(runner.bindings().get(0).enabled()).isFalse();
        assertThat(runner.bindings().get(0).failure().cause()).contains("backend down");
        assertThat(runner.run(mail("b@example.com")).ran()).isEmpty();
    }

    @Test
    void recipientFatesLeaveTheEnvelopeAndLaterRulesStillSeeTheChainChosenAtTheStart() {
        ChainResult r = ChainRunner.with(binding("reject c").priority(1).property("reject", "c@example.com"), new Reject())
                .and(binding("tag").priority(2).property("header", "X-Tag"), new Tag())
                .run(mail("b@example.com", "c@example.com"));
        assertThat(r.recipients()).containsExactly("b@example.com");
        assertThat(r.recipientFates()).containsEntry("c@example.com", RecipientFate.reject("no such user"));
        assertThat(r.ran()).containsExactly("reject c", "tag");
    }

    @Test
    void whenRecipientFatesLeaveNoRecipientTheChainEnds() {
        ChainResult r = ChainRunner.with(binding("reject all").priority(1).property("reject", "b@example.com,c@example.com"), new Reject())
                .and(binding("tag").priority(2).property("header", "X-Tag"), new Tag())
                .run(mail("b@example.com", "c@example.com"));
        assertThat(r.recipients()).isEmpty();
        assertThat(r.recipientFates()).hasSize(2);
        assertThat(r.ran()).containsExactly("reject all");
    }

    @Test
    void defaultBindingsAreReadFromTheAnnotationAsTheServerReadsThem() {
        ChainRunner runner = ChainRunner.withDefaultBindings(new DefaultTag());
        assertThat(runner.bindings()).singleElement().satisfies(b -> {
            assertThat(b.id()).isEqualTo("{9C1A7E2B-3D4F-4A5B-8C6D-7E8F9A0B1C2D}");
            assertThat(b.priority()).isEqualTo(10);
        });
        assertThat(runner.run(mail("sales@example.com")).headers().first("X-Team")).contains("sales");
        assertThat(runner.run(mail("support@example.com")).headers().first("X-Team")).isEmpty();
    }

    @Test
    void aBindingMustNameTheSinkItIsPairedWith() {
        var other = binding("x").toBinding(Tag.class);
        assertThatThrownBy(() -> ChainRunner.with(other, new Status())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> binding("x").rule("RCPT TO")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSinkThatMailsItselfIsStoppedByTheLoopGuard() {
        List<ChainResult> all = ChainRunner.with(binding("notify"), new Notify()).runAll(mail("b@example.com"));
        // the message, then five generations of notifications; the fifth cannot send (MailLoopException)
        assertThat(all).hasSize(6);
        assertThat(all.get(1).submission().source()).isEqualTo(dev.mailroot.sink.Source.SINK);
        ChainResult last = all.get(5);
        assertThat(last.submission().generation()).isEqualTo(5);
        assertThat(last.trace().get(0).failure()).get().isInstanceOf(dev.mailroot.sink.MailLoopException.class);
        assertThat(last.sent()).isEmpty();
    }

    @Test
    void aReplacementStreamLeftOpenWhenTheCallEndsIsDiscarded() {
        OnSubmissionSink leaky = (s, ctx) -> {
            OutputStream out = s.replaceBody();
            out.write("half".getBytes(StandardCharsets.US_ASCII));
            return SinkStatus.RUN_NEXT_SINK;
        };
        ChainResult r = ChainRunner.with(binding("leaky"), leaky).run(mail("b@example.com"));
        assertThat(r.submission().bodyAsString()).isEqualTo("text\r\n");
    }
}
