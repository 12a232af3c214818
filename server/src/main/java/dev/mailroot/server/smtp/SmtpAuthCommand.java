package dev.mailroot.server.smtp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.Session;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Mailroot's {@code AUTH} command (RFC 4954), in place of SubEthaSMTP's, which does not look at TLS
 * and answers without enhanced codes. Mechanisms {@code PLAIN} and {@code LOGIN}, checked by
 * {@link Logins}. Replies:
 * <ul>
 *   <li>{@code 538 5.7.11} before TLS (unless plaintext is allowed for a loopback client);</li>
 *   <li>{@code 454 4.7.0} while the client's address is locked out, the password not checked;</li>
 *   <li>{@code 535 5.7.8} for wrong credentials, after the failure delay;</li>
 *   <li>{@code 235 2.7.0} on success, unless an OnAuth sink refuses (its reply).</li>
 * </ul>
 */
final class SmtpAuthCommand implements Command {
    private static final Logger log = LoggerFactory.getLogger(SmtpAuthCommand.class);
    private static final String USERNAME = "334 VXNlcm5hbWU6"; // "Username:"
    private static final String PASSWORD = "334 UGFzc3dvcmQ6"; // "Password:"

    private final Access access;
    /** Runs the OnAuth event; null when no protocol event can be bound. */
    private final ProtocolHooks hooks;

    SmtpAuthCommand(Access access, ProtocolHooks hooks) {
        this.access = access;
        this.hooks = hooks;
    }

    @Override
    public String getName() {
        return "AUTH";
    }

    @Override
    public HelpMessage getHelp() {
        return new HelpMessage("AUTH", "Authentication (PLAIN, LOGIN; after STARTTLS)", "<mechanism> [initial-response]");
    }

    @Override
    public void execute(String line, Session session) throws IOException, DropConnectionException {
        String[] args = line.trim().split("\\s+");
        String client = ProtocolHooks.client(session);
        if (!access.listener().auth()) {
            refuse(session, "502 5.5.1 Error: authentication not enabled on this port");
            return;
        }
        if (session.isAuthenticated()) {
            refuse(session, "503 5.5.1 Error: already authenticated");
            return;
        }
        if (session.isMailTransactionInProgress()) {
            refuse(session, "503 5.5.1 Error: MAIL transaction in progress");
            return;
        }
        if (args.length < 2 || args.length > 3) {
            refuse(session, "501 5.5.4 Syntax: AUTH mechanism [initial-response]");
            return;
        }
        if (!access.authUsable(session)) {
            log.info("MR1213 AUTH refused from {} on listener {}: the connection is not encrypted (538 5.7.11)", client,
                    access.listener().name());
            refuse(session, "538 5.7.11 Encryption required for requested authentication mechanism");
            return;
        }
        String mechanism = args[1].toUpperCase(Locale.ROOT);
        if (!mechanism.equals("PLAIN") && !mechanism.equals("LOGIN")) {
            refuse(session, "504 5.5.4 Unrecognized authentication type (PLAIN, LOGIN)");
            return;
        }
        InetAddress address = ProtocolHooks.address(session);
        if (access.logins().lockedOut(address)) {
            log.warn("MR1212 AUTH refused from {}: the address is locked out after repeated failures (454 4.7.0)", client);
            refuse(session, "454 4.7.0 Too many failed authentication attempts from your address, try again later");
            return;
        }
        String[] credentials = mechanism.equals("PLAIN") ? plain(args, session) : login(args, session);
        if (credentials == null) {
            return; // cancelled, undecodable or gone: the reply was sent
        }
        Logins.Result r;
        try {
            r = access.logins().check(credentials[0], credentials[1], address);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnectionException(421, "4.3.2 Service shutting down, try again later");
        }
        switch (r.outcome()) {
            case LOCKED -> {
                log.warn("MR1212 AUTH refused from {}: the address is locked out after repeated failures (454 4.7.0)", client);
                refuse(session, "454 4.7.0 Too many failed authentication attempts from your address, try again later");
            }
            case BAD -> {
                access.meters().authFailed();
                boolean locked = access.logins().lockedOut(address);
                log.warn("MR1211 AUTH {} failed for '{}' from {}: {}{}", mechanism, printable(credentials[0]), client, r.reason(),
                        locked ? "; the address is now locked out for " + access.logins().config().lockoutSeconds() + " s" : "");
                refuse(session, "535 5.7.8 Authentication credentials invalid");
            }
            case OK -> {
                Login login = new Login(credentials[0].toLowerCase(Locale.ROOT), r.mailbox().name());
                String refused = hooks == null ? null : hooks.onAuth(session, login.user());
                if (refused != null) {
                    refuse(session, refused);
                    return;
                }
                session.setAuthenticationHandler(login);
                log.info("MR1210 {} authenticated as {} (mailbox {}) with {} on listener {}{}", client, login.user(),
                        login.mailbox(), mechanism, access.listener().name(), session.isTLSStarted() ? " over TLS" : " without TLS");
                session.sendResponse("235 2.7.0 Authentication successful");
            }
            default -> throw new IllegalStateException();
        }
    }

    /** PLAIN (RFC 4616): {@code authzid NUL authcid NUL passwd}; an authzid other than the authcid is refused. */
    private String[] plain(String[] args, Session session) throws IOException {
        String response = args.length == 3 ? args[2] : challenge(session, "334 ");
        if (response == null) {
            return null;
        }
        byte[] decoded = decode(response, session);
        if (decoded == null) {
            return null;
        }
        String[] parts = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
        if (parts.length != 3 || parts[1].isEmpty()) {
            refuse(session, "501 5.5.2 Error: malformed PLAIN response");
            return null;
        }
        if (!parts[0].isEmpty() && !parts[0].equalsIgnoreCase(parts[1])) {
            refuse(session, "535 5.7.8 Authentication credentials invalid (no authorization identity other than your own)");
            return null;
        }
        return new String[] {parts[1], parts[2]};
    }

    /** LOGIN: user name and password each in its own base64 line (the user name may come with the command). */
    private String[] login(String[] args, Session session) throws IOException {
        String user64 = args.length == 3 ? args[2] : challenge(session, USERNAME);
        if (user64 == null) {
            return null;
        }
        byte[] user = decode(user64, session);
        if (user == null) {
            return null;
        }
        String pass64 = challenge(session, PASSWORD);
        if (pass64 == null) {
            return null;
        }
        byte[] pass = decode(pass64, session);
        if (pass == null) {
            return null;
        }
        return new String[] {new String(user, StandardCharsets.UTF_8), new String(pass, StandardCharsets.UTF_8)};
    }

    /** Sends a challenge and reads the answer; null (after the reply) if the client cancelled or left. */
    private String challenge(Session session, String prompt) throws IOException {
        session.sendResponse(prompt);
        String answer = session.getReader().readLine();
        if (answer == null) {
            return null;
        }
        if (answer.trim().equals("*")) {
            refuse(session, "501 5.7.0 Authentication cancelled");
            return null;
        }
        return answer.trim();
    }

    private byte[] decode(String base64, Session session) throws IOException {
        if (base64.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            refuse(session, "501 5.5.2 Error: cannot decode the response (base64)");
            return null;
        }
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 100; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }

    /** Sends a refusal, counted by its reply code in the listener's metrics. */
    private void refuse(Session session, String reply) throws IOException {
        access.meters().rejected(Integer.parseInt(reply.substring(0, 3)));
        session.sendResponse(reply);
    }
}
