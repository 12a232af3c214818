package dev.mailroot.sink.protocol;

import dev.mailroot.sink.SinkContext;
import org.pf4j.ExtensionPoint;

/**
 * A sink for the <b>OnAuth</b> protocol event: an SMTP client authenticated (AUTH PLAIN or LOGIN,
 * over TLS) and its password was right, before the {@code 235} reply. Bound, ordered and managed
 * exactly like the other protocol sinks (a binding with event {@code OnAuth}); see
 * {@link dev.mailroot.sink.protocol the package} for the time limit and the failure policy. It
 * fires only for SMTP sessions, never for mail without a session.
 *
 * <p>A reject refuses the login (the client gets the verdict's reply; the session stays
 * unauthenticated and may try again), a disconnect closes the connection. The user is also
 * {@link ProtocolSession#authenticatedUser()} during and after the call.
 *
 * <p>Calls for different sessions run concurrently on one instance: keep no per-session state in
 * fields (use {@link ProtocolSession#notes()}).
 */
public interface OnAuthSink extends ExtensionPoint {

    /**
     * @param user the login name as the client gave it, lower case (a mailbox name or address)
     * @return what to do; {@link Verdict#proceed()} to let the next sink decide
     * @throws Exception on failure; the binding's {@code onError} decides ({@code continue}: as
     *                   proceed, the login stands; {@code tempfail}: {@code 454 4.7.0}, the login is refused)
     */
    Verdict onAuth(ProtocolSession session, String user, SinkContext context) throws Exception;
}
