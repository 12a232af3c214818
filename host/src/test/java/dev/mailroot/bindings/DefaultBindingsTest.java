package dev.mailroot.bindings;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Submission;
import dev.mailroot.sink.protocol.OnConnectSink;
import dev.mailroot.sink.protocol.OnRcptToSink;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.RcptToCommand;
import dev.mailroot.sink.protocol.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultBindingsTest {

    @DefaultBinding(id = "{00000000-0000-0000-0000-000000000001}", name = "check recipients", rule = "SOURCE=smtp",
            properties = {"onError=tempfail", "timeoutMs=800"})
    static class RcptOnly implements OnRcptToSink {
        @Override
        public Verdict onRcptTo(ProtocolSession session, RcptToCommand command, SinkContext context) {
            return Verdict.proceed();
        }
    }

    abstract static class Both implements OnConnectSink, OnSubmissionSink {
        @Override
        public Verdict onConnect(ProtocolSession session, SinkContext context) {
            return Verdict.proceed();
        }

        @Override
        public SinkStatus onSubmission(Submission submission, SinkContext context) {
            return SinkStatus.RUN_NEXT_SINK;
        }
    }

    @DefaultBinding(id = "{00000000-0000-0000-0000-000000000002}", event = "OnConnect", name = "at connect", priority = 5)
    @DefaultBinding(id = "{00000000-0000-0000-0000-000000000003}", event = "OnArrival", name = "at submission")
    static class BothNamed extends Both {
    }

    @DefaultBinding(id = "{00000000-0000-0000-0000-000000000004}", name = "which one?")
    static class BothUnnamed extends Both {
    }

    @DefaultBinding(id = "{00000000-0000-0000-0000-000000000005}", event = "OnHelo", name = "not a helo sink")
    static class WrongEvent extends Both {
    }

    @DefaultBinding(id = "{00000000-0000-0000-0000-000000000006}", event = "OnConnect", name = "badmail at connect",
            properties = "onError=badmail")
    static class WrongOnError extends Both {
    }

    @Test
    void aClassThatImplementsOneEventIsBoundToItWithoutNamingIt() throws Exception {
        assertThat(DefaultBindings.of(RcptOnly.class)).singleElement().satisfies(b -> {
            assertThat(b.event()).isEqualTo(Events.ON_RCPT_TO);
            assertThat(b.rule()).isEqualTo("SOURCE=smtp");
            assertThat(b.sinkProperties()).containsEntry("onError", "tempfail");
        });
    }

    @Test
    void aClassThatImplementsTwoEventsIsBoundToTheEventEachDeclarationNames() throws Exception {
        assertThat(DefaultBindings.of(BothNamed.class)).extracting(Binding::name, Binding::event).containsExactly(
                org.assertj.core.groups.Tuple.tuple("at connect", Events.ON_CONNECT),
                org.assertj.core.groups.Tuple.tuple("at submission", Events.ON_SUBMISSION));
    }

    @Test
    void aDeclarationThatCannotBeBoundIsRefusedWithTheReason() {
        assertThatThrownBy(() -> DefaultBindings.of(BothUnnamed.class)).isInstanceOf(DefaultBindings.InvalidDeclaration.class)
                .hasMessageContaining("'which one?'").hasMessageContaining("the sinks of [OnConnect, OnSubmission]")
                .hasMessageContaining("name the event");
        assertThatThrownBy(() -> DefaultBindings.of(WrongEvent.class))
                .hasMessageContaining("event OnHelo but the class does not implement OnHeloSink");
        assertThatThrownBy(() -> DefaultBindings.of(WrongOnError.class))
                .hasMessageContaining("onError must be 'continue' or 'tempfail' for a protocol event (OnConnect), not 'badmail'");
    }
}
