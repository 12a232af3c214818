package dev.mailroot.server.smtp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

import java.io.IOException;
import java.util.List;

/**
 * The commands that make one listener's TLS and AUTH rules: Mailroot's {@code EHLO} (STARTTLS
 * advertised only before TLS, AUTH only where it may be used), Mailroot's {@code AUTH}, and gates in
 * front of the mail commands: {@code 530 5.7.0 Must issue a STARTTLS command first} on a
 * {@code tls: required} listener before TLS, {@code 530 5.7.0 Authentication required} on an
 * {@code anonymous: false} listener before AUTH. SubEthaSMTP's own {@code requireTLS()} and
 * {@code requireAuth()} are not used: their replies have no (or a malformed) enhanced code.
 */
final class ListenerCommands {
    private static final Logger log = LoggerFactory.getLogger(ListenerCommands.class);
    /** The commands that need TLS on a {@code tls: required} listener (RFC 3207 §4: all but EHLO, NOOP, QUIT, STARTTLS). */
    private static final List<String> NEED_TLS = List.of("HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY", "EXPN", "HELP");
    /** The commands that need AUTH on an {@code anonymous: false} listener. */
    private static final List<String> NEED_AUTH = List.of("MAIL", "RCPT", "DATA", "BDAT", "VRFY", "EXPN");

    private ListenerCommands() {
    }

    /** Replaces EHLO and AUTH; call before {@link ProtocolHooks#install}, so its EHLO wrapper runs ours. */
    static void installCommands(SMTPServer server, Access access, ProtocolHooks hooks) {
        CommandHandler commands = server.getCommandHandler();
        commands.addCommand(new Ehlo(access));
        commands.addCommand(new SmtpAuthCommand(access, hooks));
    }

    /** Puts the gates in front of everything installed so far; call last, so a refused command reaches nothing. */
    static void installGates(SMTPServer server, Access access) {
        CommandHandler commands = server.getCommandHandler();
        if (!access.listener().anonymous()) {
            for (String name : NEED_AUTH) {
                Command inner = commands.getCommand(name);
                commands.addCommand(new Gate(inner, access, (line, s) -> {
                    if (s.isAuthenticated()) {
                        return null;
                    }
                    if (name.equals("MAIL")) {
                        log.info("MR1222 MAIL refused from {} on listener {}: AUTH first (530 5.7.0)", ProtocolHooks.client(s),
                                access.listener().name());
                    }
                    return "530 5.7.0 Authentication required";
                }));
            }
        }
        // the TLS gate goes outside the AUTH gate: before STARTTLS, STARTTLS is what the client must hear
        if (access.listener().tls().equals(dev.mailroot.server.config.MailrootConfig.Listener.REQUIRED)) {
            for (String name : NEED_TLS) {
                Command inner = commands.getCommand(name);
                commands.addCommand(new Gate(inner, access, (line, s) -> s.isTLSStarted() ? null
                        : "530 5.7.0 Must issue a STARTTLS command first"));
            }
        }
        // RFC 3207 §4.2: what was learnt before TLS is forgotten; SubEthaSMTP keeps an AUTH, so refuse the order
        Command starttls = commands.getCommand("STARTTLS");
        commands.addCommand(new Gate(starttls, access, (line, s) -> s.isAuthenticated() && !s.isTLSStarted()
                ? "503 5.5.1 Error: STARTTLS after AUTH; connect again and start with STARTTLS" : null));
    }

    /** Decides whether a command may run: null if so, else the reply. */
    private interface Rule {
        String refusal(String line, Session session);
    }

    private static final class Gate implements Command {
        private final Command inner;
        private final Rule rule;

        private final Access access;

        Gate(Command inner, Access access, Rule rule) {
            this.inner = inner;
            this.access = access;
            this.rule = rule;
        }

        @Override
        public void execute(String line, Session session) throws IOException, DropConnectionException {
            String refused = rule.refusal(line, session);
            if (refused != null) {
                access.meters().rejected(Integer.parseInt(refused.substring(0, 3)));
                session.sendResponse(refused);
                return;
            }
            inner.execute(line, session);
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

    /** EHLO as SubEthaSMTP answers it, but STARTTLS only before TLS and AUTH only where it may be used. */
    private static final class Ehlo implements Command {
        private final Access access;

        Ehlo(Access access) {
            this.access = access;
        }

        @Override
        public void execute(String line, Session session) throws IOException {
            String[] args = line.trim().split("\\s+");
            if (args.length < 2) {
                session.sendResponse("501 Syntax: EHLO hostname");
                return;
            }
            session.resetMailTransaction();
            session.setHelo(args[1]);
            StringBuilder r = new StringBuilder("250-").append(session.getServer().getHostName());
            r.append("\r\n250-8BITMIME");
            int max = session.getServer().getMaxMessageSize();
            if (max > 0) {
                r.append("\r\n250-SIZE ").append(max);
            }
            if (access.listener().offersStartTls() && !session.isTLSStarted()) {
                r.append("\r\n250-STARTTLS");
            }
            r.append("\r\n250-CHUNKING\r\n250-SMTPUTF8");
            if (access.authUsable(session) && !session.isAuthenticated()) {
                r.append("\r\n250-AUTH PLAIN LOGIN");
            }
            r.append("\r\n250 Ok");
            session.sendResponse(r.toString());
        }

        @Override
        public HelpMessage getHelp() {
            return new HelpMessage("EHLO", "Introduce yourself.", "<hostname>");
        }

        @Override
        public String getName() {
            return "EHLO";
        }
    }
}
