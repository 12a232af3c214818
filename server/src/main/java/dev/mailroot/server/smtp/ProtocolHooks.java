package dev.mailroot.server.smtp;

import dev.mailroot.bindings.Events;
import dev.mailroot.server.protocol.ProtocolEvents;
import dev.mailroot.server.protocol.SessionState;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.protocol.OnAuthSink;
import dev.mailroot.sink.protocol.OnConnectSink;
import dev.mailroot.sink.protocol.OnHeloSink;
import dev.mailroot.sink.protocol.SmtpReply;
import dev.mailroot.sink.protocol.Verdict;
import org.slf4j.MDC;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;
import org.subethamail.smtp.server.SessionHandler.SessionAcceptance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where SubEthaSMTP meets the protocol events. SubEthaSMTP (7.2.2) has a hook for the connection
 * ({@link SessionHandler#accept}) and for MAIL/RCPT/DATA ({@code MessageHandler}), but none for
 * HELO/EHLO and none that shows the ESMTP parameters: so the {@code HELO}, {@code EHLO},
 * {@code MAIL} and {@code RCPT} commands of its {@link CommandHandler} are replaced by wrappers
 * that run the event (HELO/EHLO) or note the command line (MAIL, RCPT) and then hand the line to
 * the command they replaced (which keeps SubEthaSMTP's TLS/AUTH requirements and syntax checks).
 *
 * <p>Per-session state lives here, in a map keyed by the session, made only once some protocol
 * event is bound: with none bound every hook is one volatile read and passes straight through.
 * SubEthaSMTP does not insist on HELO before MAIL, so a refused HELO is remembered and MAIL is
 * refused ({@code 503 5.5.1}) until a HELO/EHLO is accepted.
 */
final class ProtocolHooks implements SessionHandler {
    private final ProtocolEvents events;
    private final ConnectionLimiter limiter;
    private final Map<Session, SessionState> sessions = new ConcurrentHashMap<>();

    ProtocolHooks(ProtocolEvents events, ConnectionLimiter limiter) {
        this.events = events;
        this.limiter = limiter;
    }

    ProtocolEvents events() {
        return events;
    }

    /** Installs the command wrappers on {@code server} (built, not started), after {@link ClampedSizeMailCommand}. */
    void install(SMTPServer server) {
        CommandHandler commands = server.getCommandHandler();
        commands.addCommand(new Helo(commands.getCommand("HELO"), false));
        commands.addCommand(new Helo(commands.getCommand("EHLO"), true));
        commands.addCommand(new Mail(commands.getCommand("MAIL")));
        commands.addCommand(new Rcpt(commands.getCommand("RCPT")));
    }

    /** The session's state, made now if a protocol event is bound; null if none is (nothing to keep). */
    SessionState state(Session session) {
        SessionState s = sessions.get(session);
        if (s == null && events.any()) {
            s = sessions.computeIfAbsent(session, k -> new SessionState(k.getSessionId(), Source.SMTP,
                    Source.SMTP.wireName(), null, address(k), null));
        }
        return s;
    }

    /** The session's state if it has one already. */
    SessionState existing(Session session) {
        return sessions.get(session);
    }

    static InetAddress address(Session session) {
        InetSocketAddress a = session.getRemoteAddress();
        return a == null ? null : a.getAddress();
    }

    static String client(Session session) {
        InetAddress a = address(session);
        return a == null ? String.valueOf(session.getRemoteAddress()) : a.getHostAddress();
    }

    @Override
    public SessionAcceptance accept(Session session) {
        SessionAcceptance limited = limiter.accept(session);
        if (!limited.accepted() || !events.bound(Events.ON_CONNECT)) {
            return limited;
        }
        SessionState state = state(session);
        MDC.put("session", session.getSessionId());
        try {
            ProtocolEvents.Outcome o = events.run(Events.ON_CONNECT, state.ruleInput(List.of()), "client " + client(session),
                    (sink, ctx) -> ((OnConnectSink) sink).onConnect(state, ctx));
            if (o.refused()) {
                // SubEthaSMTP does not end a session it refused in accept: release it here
                sessions.remove(session);
                limiter.onSessionEnd(session);
                SmtpReply r = o.tempfail() ? SmtpReply.of(421, "4.7.1", ProtocolEvents.TEMPFAIL.text()) : o.verdict().reply();
                limiter.refused(r.code());
                return SessionAcceptance.failure(r.code(), r.enhanced() + (r.text().isEmpty() ? "" : " " + r.text()));
            }
            return limited;
        } finally {
            MDC.remove("session");
        }
    }

    @Override
    public void onSessionEnd(Session session) {
        sessions.remove(session);
        limiter.onSessionEnd(session);
    }

    /**
     * Runs OnAuth after a successful password check, as OnHelo runs (time limit, {@code onError}).
     * A tempfail refuses the login with {@code 454 4.7.0} (RFC 4954): the client may try again later.
     *
     * @return null to let the login stand, else the reply that refuses it
     * @throws DropConnectionException when a sink disconnects
     */
    String onAuth(Session session, String user) throws DropConnectionException {
        SessionState state = state(session);
        if (state == null) {
            return null;
        }
        state.tls(session.isTLSStarted());
        state.authenticatedUser(user);
        if (!events.bound(Events.ON_AUTH)) {
            return null;
        }
        ProtocolEvents.Outcome o;
        MDC.put("session", session.getSessionId());
        try {
            o = events.run(Events.ON_AUTH, state.ruleInput(List.of()), "AUTH as " + user + " from " + client(session),
                    (sink, ctx) -> ((OnAuthSink) sink).onAuth(state, user, ctx));
        } finally {
            MDC.remove("session");
        }
        if (!o.refused()) {
            return null;
        }
        state.authenticatedUser(null);
        SmtpReply r = o.tempfail() ? SmtpReply.of(454, "4.7.0", ProtocolEvents.TEMPFAIL.text()) : o.verdict().reply();
        if (o.verdict().kind() == Verdict.Kind.DISCONNECT) {
            throw new DropConnectionException(r.code(), r.enhanced() + " " + r.text());
        }
        return line(r);
    }

    /** The reply of a refusal, as SubEthaSMTP sends it: {@code code enhanced text}. */
    static String line(SmtpReply r) {
        return r.toString();
    }

    /** A command in front of SubEthaSMTP's command of the same name, with its name and help. */
    private abstract static class Wrapper implements Command {
        protected final Command inner;

        Wrapper(Command inner) {
            this.inner = inner;
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return inner.getHelp();
        }

        @Override
        public String getName() {
            return inner.getName();
        }
    }

    /** HELO or EHLO: the OnHelo event, then SubEthaSMTP's command. */
    private final class Helo extends Wrapper {
        private final boolean ehlo;

        Helo(Command inner, boolean ehlo) {
            super(inner);
            this.ehlo = ehlo;
        }

        @Override
        public void execute(String line, Session session) throws IOException, DropConnectionException {
            if (!events.bound(Events.ON_HELO)) {
                SessionState s = state(session);
                if (s != null) {
                    s.tls(session.isTLSStarted());
                    s.heloRefused(null);
                    s.helo(argument(line));
                }
                inner.execute(line, session);
                return;
            }
            String name = argument(line);
            if (name == null) {
                inner.execute(line, session); // its 501 syntax reply
                return;
            }
            SessionState state = state(session);
            state.tls(session.isTLSStarted());
            state.helo(name);
            ProtocolEvents.Outcome o;
            MDC.put("session", session.getSessionId());
            try {
                o = events.run(Events.ON_HELO, state.ruleInput(List.of()), (ehlo ? "EHLO " : "HELO ") + name
                        + " from " + client(session), (sink, ctx) -> ((OnHeloSink) sink).onHelo(state, name, ehlo, ctx));
            } finally {
                MDC.remove("session");
            }
            if (o.refused()) {
                SmtpReply r = o.verdict().reply();
                limiter.refused(r.code());
                if (o.verdict().kind() == Verdict.Kind.DISCONNECT) {
                    throw new DropConnectionException(r.code(), r.enhanced() + " " + r.text());
                }
                state.helo(null);
                state.heloRefused(r);
                session.sendResponse(line(r));
                return;
            }
            state.heloRefused(null);
            inner.execute(line, session);
        }

        private String argument(String line) {
            String[] args = line.trim().split("\\s+");
            return args.length < 2 ? null : args[1];
        }
    }

    /** MAIL: refused while the HELO is refused; the line kept for its ESMTP parameters. */
    private final class Mail extends Wrapper {
        Mail(Command inner) {
            super(inner);
        }

        @Override
        public void execute(String line, Session session) throws IOException, DropConnectionException {
            SessionState s = state(session);
            if (s != null) {
                SmtpReply refused = s.heloRefused();
                if (refused != null && !session.isMailTransactionInProgress()) {
                    session.sendResponse("503 5.5.1 Error: send HELO/EHLO first (it was refused: " + refused.code() + " "
                            + refused.enhanced() + ")");
                    return;
                }
                s.mailLine(line);
            }
            inner.execute(line, session);
        }
    }

    /** RCPT: the line kept for its ESMTP parameters. */
    private final class Rcpt extends Wrapper {
        Rcpt(Command inner) {
            super(inner);
        }

        @Override
        public void execute(String line, Session session) throws IOException, DropConnectionException {
            SessionState s = state(session);
            if (s != null) {
                s.rcptLine(line);
            }
            inner.execute(line, session);
        }
    }
}
