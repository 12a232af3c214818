package dev.mailroot.bindings;

import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.protocol.OnConnectSink;
import dev.mailroot.sink.protocol.OnRcptToSink;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventsTest {

    @Test
    void canonicalNamesAndTheIisAndExchangeAliasesMapToOneEventInAnyCase() {
        assertThat(List.of("OnSubmission", "onarrival", "OnTransportSubmission", "SMTP  Transport OnSubmission"))
                .allSatisfy(n -> assertThat(Events.canonical(n)).as(n).contains(Events.ON_SUBMISSION));
        assertThat(Events.canonical("OnConnect")).contains(Events.ON_CONNECT);
        assertThat(Events.canonical(" onehlo ")).contains(Events.ON_HELO);
        assertThat(Events.canonical("OnHeloCommand")).contains(Events.ON_HELO);
        assertThat(Events.canonical("OnMailCommand")).contains(Events.ON_MAIL_FROM);
        assertThat(Events.canonical("OnRcptCommand")).contains(Events.ON_RCPT_TO);
        assertThat(Events.canonical("OnEndOfData")).contains(Events.ON_END_OF_DATA);
        assertThat(Events.canonical("OnPostCategorize")).isEmpty();
        assertThat(Events.canonical(null)).isEmpty();
        // needs the rule: not a name on its own
        assertThat(Events.canonical("SMTP Protocol OnInboundCommand")).isEmpty();
        assertThat(Events.isInboundCommand("smtp protocol  OnInboundCommand")).isTrue();
        assertThat(Events.isInboundCommand("OnInboundCommand")).isTrue();
        assertThat(Events.isInboundCommand("OnSubmission")).isFalse();
    }

    @Test
    void anInboundCommandRuleNamesTheEventAndKeepsOnlyItsPattern() {
        assertThat(Events.inboundCommand("EHLO")).isEqualTo(new Events.Mapped(Events.ON_HELO, null));
        assertThat(Events.inboundCommand("helo")).isEqualTo(new Events.Mapped(Events.ON_HELO, null));
        assertThat(Events.inboundCommand("mail from=*@x")).isEqualTo(new Events.Mapped(Events.ON_MAIL_FROM, "mail from=*@x"));
        assertThat(Events.inboundCommand("MAIL")).isEqualTo(new Events.Mapped(Events.ON_MAIL_FROM, null));
        assertThat(Events.inboundCommand("RCPT")).isEqualTo(new Events.Mapped(Events.ON_RCPT_TO, null));
        assertThat(Events.inboundCommand("rcpt to=sales@*;RCPT TO=orders@*"))
                .isEqualTo(new Events.Mapped(Events.ON_RCPT_TO, "rcpt to=sales@*;RCPT TO=orders@*"));
        assertThat(Events.inboundCommand("DATA")).isEqualTo(new Events.Mapped(Events.ON_END_OF_DATA, null));
        assertThat(Events.inboundCommand("AUTH")).isEqualTo(new Events.Mapped(Events.ON_AUTH, null));
    }

    @Test
    void anInboundCommandWithoutAnEventOrWithTwoIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Events.inboundCommand("VRFY")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'VRFY'").hasMessageContaining("has no Mailroot event");
        assertThatThrownBy(() -> Events.inboundCommand("EHLO;RCPT")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two events (OnHelo and OnRcptTo)").hasMessageContaining("one binding per command");
        assertThatThrownBy(() -> Events.inboundCommand(null)).hasMessageContaining("needs a rule naming the command");
        assertThatThrownBy(() -> Events.inboundCommand(" ; ")).hasMessageContaining("names no command");
    }

    @Test
    void theSinkInterfaceOfEachEventAndTheEventsAClassImplements() {
        assertThat(Events.ALL).endsWith(Events.ON_SUBMISSION, Events.ON_REMOTE_DELIVERY).containsAll(Events.PROTOCOL);
        assertThat(Events.isProtocol(Events.ON_REMOTE_DELIVERY)).isFalse();
        assertThat(Events.isVerdict(Events.ON_REMOTE_DELIVERY)).isTrue();
        assertThat(Events.isVerdict(Events.ON_SUBMISSION)).isFalse();
        assertThat(Events.canonical("SMTP Transport OnRemoteDelivery")).contains(Events.ON_REMOTE_DELIVERY);
        assertThat(Events.sinkInterface(Events.ON_REMOTE_DELIVERY)).isEqualTo(dev.mailroot.sink.protocol.OnRemoteDeliverySink.class);
                assertThat(Events.PROTOCOL).containsSubsequence(Events.ON_HELO, Events.ON_AUTH, Events.ON_MAIL_FROM);
        assertThat(Events.canonical("OnAuthCommand")).contains(Events.ON_AUTH);
        assertThat(Events.sinkInterface(Events.ON_AUTH)).isEqualTo(dev.mailroot.sink.protocol.OnAuthSink.class);
        assertThat(Events.PROTOCOL).first().isEqualTo(Events.ON_CONNECT);
        assertThat(Events.isProtocol(Events.ON_RCPT_TO)).isTrue();
        assertThat(Events.isProtocol(Events.ON_SUBMISSION)).isFalse();
        assertThat(Events.sinkInterface(Events.ON_CONNECT)).isEqualTo(OnConnectSink.class);
        assertThat(Events.implementedBy(OnRcptToSink.class)).containsExactly(Events.ON_RCPT_TO);
        abstract class Both implements OnSubmissionSink, OnConnectSink {
        }
        assertThat(Events.implementedBy(Both.class)).containsExactly(Events.ON_CONNECT, Events.ON_SUBMISSION);
        assertThat(Events.implementedBy(String.class)).isEmpty();
    }

    @Test
    void theTimeLimitAndOnErrorThatApplyDependOnTheEvent() {
        Binding helo = new Binding(Binding.newId(), "h", Events.ON_HELO, "a.B", true, null, 1, java.util.Map.of());
        Binding submission = new Binding(Binding.newId(), "s", Events.ON_SUBMISSION, "a.B", true, null, 1, java.util.Map.of());
        assertThat(BindingStatus.timeoutMs(helo)).isEqualTo(5000);
        assertThat(BindingStatus.timeoutMs(submission)).isEqualTo(30000);
        assertThat(BindingStatus.timeoutMs(helo.withSinkProperties(java.util.Map.of("timeoutMs", " 800")))).isEqualTo(800);
        assertThat(BindingStatus.timeoutMs(helo.withSinkProperties(java.util.Map.of("timeoutMs", "-1")))).isEqualTo(5000);
        assertThat(BindingStatus.onError(helo)).isEqualTo("continue");
        assertThat(BindingStatus.onError(helo.withSinkProperties(java.util.Map.of("onError", "TempFail")))).isEqualTo("tempfail");
        assertThat(BindingStatus.onError(submission.withSinkProperties(java.util.Map.of("onError", "defer")))).isEqualTo("defer");
        Binding remote = new Binding(Binding.newId(), "r", Events.ON_REMOTE_DELIVERY, "a.B", true, null, 1, java.util.Map.of());
        assertThat(BindingStatus.timeoutMs(remote)).isEqualTo(5000);
        assertThat(BindingStatus.onErrorValues(Events.ON_REMOTE_DELIVERY)).containsExactly("continue", "tempfail");
    }

    @Test
    void onErrorValuesDependOnTheEventAndTheProblemNamesThem() {
        assertThat(BindingStatus.onErrorValues(Events.ON_SUBMISSION)).containsExactly("continue", "badmail", "defer");
        assertThat(BindingStatus.onErrorValues(Events.ON_HELO)).containsExactly("continue", "tempfail");
        assertThat(BindingStatus.onErrorProblem(Events.ON_HELO, " TempFail ")).isEmpty();
        assertThat(BindingStatus.onErrorProblem(Events.ON_HELO, "badmail")).contains(
                "onError must be 'continue' or 'tempfail' for a protocol event (OnHelo), not 'badmail'");
        assertThat(BindingStatus.onErrorProblem(Events.ON_SUBMISSION, "tempfail")).contains(
                "onError must be 'continue', 'badmail' or 'defer' for OnSubmission, not 'tempfail'");
    }
}
