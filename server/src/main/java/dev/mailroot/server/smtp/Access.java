package dev.mailroot.server.smtp;

import dev.mailroot.server.config.MailrootConfig;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.server.Session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who may do what on one listener: whether AUTH is offered and may be used yet (after TLS, or
 * without TLS from a loopback client when {@code auth.allowPlaintextOnLoopback}), whether mail
 * needs AUTH ({@code anonymous: false}), and who may relay (authenticated users and
 * {@code relay.trustedNetworks}). Immutable; shared by the listener's sessions.
 *
 * @param listener the listener's configuration
 * @param logins   the password check and lockout, shared by every listener
 * @param trusted  {@code relay.trustedNetworks}
 */
record Access(MailrootConfig.Listener listener, Logins logins, List<Network> trusted,
              dev.mailroot.server.metrics.ListenerMeters meters) {

    /** Whether AUTH may be used now in {@code session}: offered here, and encrypted or plaintext allowed for this client. */
    boolean authUsable(Session session) {
        return listener.auth() && (session.isTLSStarted() || plaintextAllowed(session));
    }

    /** Whether this client may authenticate without TLS. */
    boolean plaintextAllowed(Session session) {
        InetAddress a = ProtocolHooks.address(session);
        return logins.config().allowPlaintextOnLoopback() && a != null && a.isLoopbackAddress();
    }

    /** The session's login, if it authenticated. */
    static Optional<Login> login(MessageContext context) {
        return context.getAuthenticationHandler().filter(Login.class::isInstance).map(Login.class::cast);
    }

    /** Whether the client may send to domains that are not local: authenticated, or in a trusted network. */
    boolean mayRelay(MessageContext context) {
        return login(context).isPresent() || trusted(context);
    }

    /** Whether the client's address is in {@code relay.trustedNetworks}. */
    boolean trusted(MessageContext context) {
        InetAddress a = context.getRemoteAddress() instanceof InetSocketAddress i ? i.getAddress() : null;
        return a != null && trusted.stream().anyMatch(n -> n.contains(a));
    }
}
