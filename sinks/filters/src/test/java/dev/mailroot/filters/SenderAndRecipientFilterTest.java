package dev.mailroot.filters;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.sink.protocol.MailFromCommand;
import dev.mailroot.sink.protocol.RcptToCommand;
import dev.mailroot.sink.protocol.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SenderAndRecipientFilterTest {
    private static final String BLOCKED = "sender:\n  blocked: [\"spammer@example.net\", \"*@spam.example\"]\n";

    private static Verdict mailFrom(String yaml, FakeProtocolSession session, String sender) {
        return new SenderFilter(() -> TestFilters.of(yaml)).onMailFrom(session, new MailFromCommand(sender, Map.of()), TestFilters.context());
    }

    private static Verdict mailFrom(String yaml, String sender) {
        return mailFrom(yaml, FakeProtocolSession.smtpFrom("192.0.2.1"), sender);
    }

    private static Verdict rcptTo(String yaml, String recipient, boolean known) {
        return new RecipientFilter(() -> TestFilters.of(yaml)).onRcptTo(FakeProtocolSession.smtpFrom("192.0.2.1"),
                new RcptToCommand(recipient, Map.of(), known), TestFilters.context());
    }

    @Test
    void aBlockedSenderIsRefusedByAddressOrDomainInAnyCase() {
        assertThat(mailFrom(BLOCKED, "Spammer@Example.NET").reply()).hasToString("550 5.1.0 Sender denied");
        assertThat(mailFrom(BLOCKED, "anyone@SPAM.example").kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(mailFrom(BLOCKED, "anyone@notspam.example")).isEqualTo(Verdict.proceed());
        assertThat(mailFrom(BLOCKED, "friend@example.net")).isEqualTo(Verdict.proceed());
    }

    @Test
    void theBlankSenderIsRefusedOnlyWhenBlockBlankIsOn() {
        assertThat(mailFrom(BLOCKED, "")).isEqualTo(Verdict.proceed());
        assertThat(mailFrom(BLOCKED + "  blockBlank: true\n  reply: \"553 5.7.1 no bounces here\"\n", "").reply())
                .hasToString("553 5.7.1 no bounces here");
    }

    @Test
    void withActionTagTheMessageGetsAHeaderAtTheEndOfDataAndTheNextTransactionDoesNot() {
        String yaml = BLOCKED + "  action: tag\n";
        SenderFilter filter = new SenderFilter(() -> TestFilters.of(yaml));
        FakeProtocolSession session = FakeProtocolSession.smtpFrom("192.0.2.1");

        assertThat(filter.onMailFrom(session, new MailFromCommand("x@spam.example", Map.of()), TestFilters.context()))
                .isEqualTo(Verdict.proceed());
        FakeEndOfData first = FakeEndOfData.message("hi\n");
        assertThat(filter.onEndOfData(session, first, TestFilters.context())).isEqualTo(Verdict.proceed());
        assertThat(first.added).containsExactly(Map.entry("X-Mailroot-Sender-Filter", "sender <x@spam.example> is blocked (*@spam.example)"));

        filter.onMailFrom(session, new MailFromCommand("friend@example.org", Map.of()), TestFilters.context());
        FakeEndOfData second = FakeEndOfData.message("hi\n");
        filter.onEndOfData(session, second, TestFilters.context());
        assertThat(second.added).isEmpty();
    }

    @Test
    void aBlockedRecipientIsRefusedAndTheOthersPass() {
        String yaml = "recipient:\n  blocked: [\"ceo@example.com\", \"*@old.example.com\"]\n";

        assertThat(rcptTo(yaml, "CEO@example.com", true).reply())
                .hasToString("550 5.7.1 <CEO@example.com>: Recipient address rejected: Access denied");
        assertThat(rcptTo(yaml, "bob@old.example.com", true).kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(rcptTo(yaml, "bob@example.com", true)).isEqualTo(Verdict.proceed());
    }

    @Test
    void anUnknownRecipientIsRefusedOnlyWithRejectUnknown() {
        assertThat(rcptTo("", "nobody@example.com", false)).isEqualTo(Verdict.proceed());
        assertThat(rcptTo("recipient: {rejectUnknown: true}", "nobody@example.com", false).reply())
                .hasToString("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
        assertThat(rcptTo("recipient: {rejectUnknown: true}", "bob@example.com", true)).isEqualTo(Verdict.proceed());
        // pickup and connector mail: the local system chose the recipients (mspop3connector.<box>@...)
        assertThat(new RecipientFilter(() -> TestFilters.of("recipient: {rejectUnknown: true}")).onRcptTo(
                FakeProtocolSession.pickup(), new RcptToCommand("mspop3connector.bob@example.com", Map.of(), false),
                TestFilters.context())).isEqualTo(Verdict.proceed());
    }

    @Test
    void withoutConfigurationNoFilterRefusesAnything() throws Exception {
        FakeProtocolSession session = FakeProtocolSession.smtpFrom("127.0.0.2");
        assertThat(new ConnectionFilter(() -> TestFilters.of("")).onConnect(session, TestFilters.context())).isEqualTo(Verdict.proceed());
        assertThat(mailFrom("", "")).isEqualTo(Verdict.proceed());
        assertThat(rcptTo("", "nobody@example.com", false)).isEqualTo(Verdict.proceed());
    }

    @Test
    void everyFilterHasADisabledDefaultBindingForItsEvent() throws Exception {
        List<Binding> bindings = new java.util.ArrayList<>();
        for (Class<?> c : List.of(ConnectionFilter.class, SenderFilter.class, RecipientFilter.class, ContentFilter.class)) {
            bindings.addAll(DefaultBindings.of(c)); // the server's own reading of @DefaultBinding
        }

        assertThat(bindings).extracting(Binding::name, Binding::event, Binding::enabled).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Connection Filter", "OnConnect", false),
                org.assertj.core.groups.Tuple.tuple("Sender Filter", "OnMailFrom", false),
                org.assertj.core.groups.Tuple.tuple("Sender Filter Tag", "OnEndOfData", false),
                org.assertj.core.groups.Tuple.tuple("Recipient Filter", "OnRcptTo", false),
                org.assertj.core.groups.Tuple.tuple("Content Filter", "OnEndOfData", false));
    }
}
