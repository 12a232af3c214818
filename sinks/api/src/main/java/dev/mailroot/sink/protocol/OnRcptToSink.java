package dev.mailroot.sink.protocol;

import dev.mailroot.sink.SinkContext;
import org.pf4j.ExtensionPoint;

/**
 * A sink for the <b>OnRcptTo</b> protocol event: the client sent RCPT TO (once per recipient). Bound, ordered and managed exactly like an
 * OnSubmission sink (a binding with event {@code OnRcptTo}, a rule, a priority and properties); see
 * {@link dev.mailroot.sink.protocol the package} for when each event fires for SMTP and for mail
 * without a session, the time limit and the failure policy.
 *
 * <p>Calls for different sessions run concurrently on one instance: keep no per-session state in
 * fields (use {@link ProtocolSession#notes()}).
 */
public interface OnRcptToSink extends ExtensionPoint {

    /**
     * @return what to do; {@link Verdict#proceed()} to let the next sink decide
     * @throws Exception on failure; the binding's {@code onError} decides ({@code continue}: as
     *                   proceed; {@code tempfail}: {@code 451 4.7.1})
     */
    Verdict onRcptTo(ProtocolSession session, RcptToCommand command, SinkContext context) throws Exception;
}
