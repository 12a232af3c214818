package dev.mailroot.sink.protocol;

import dev.mailroot.sink.SinkContext;
import org.pf4j.ExtensionPoint;

/**
 * A sink for the <b>OnHelo</b> protocol event: the client sent HELO or EHLO. Bound, ordered and managed exactly like an
 * OnSubmission sink (a binding with event {@code OnHelo}, a rule, a priority and properties); see
 * {@link dev.mailroot.sink.protocol the package} for when each event fires for SMTP and for mail
 * without a session, the time limit and the failure policy.
 *
 * <p>Calls for different sessions run concurrently on one instance: keep no per-session state in
 * fields (use {@link ProtocolSession#notes()}).
 */
public interface OnHeloSink extends ExtensionPoint {

    /**
     * @return what to do; {@link Verdict#proceed()} to let the next sink decide
     * @throws Exception on failure; the binding's {@code onError} decides ({@code continue}: as
     *                   proceed; {@code tempfail}: {@code 451 4.7.1})
     */
    Verdict onHelo(ProtocolSession session, String heloName, boolean ehlo, SinkContext context) throws Exception;
}
