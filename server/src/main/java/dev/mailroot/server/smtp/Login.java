package dev.mailroot.server.smtp;

import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.MessageContext;

import java.util.Optional;

/**
 * A successful SMTP AUTH, kept on SubEthaSMTP's session as its authentication handler (so
 * {@code Session.isAuthenticated()} and {@code MessageContext.getAuthenticationHandler()} see it).
 *
 * @param user    the login name as the client gave it, lower case: the authenticated user shown in
 *                the {@code Received:} field, to sinks and in the envelope
 * @param mailbox the directory mailbox it logged in to (its name), for the sender check
 */
record Login(String user, String mailbox) implements AuthenticationHandler {
    @Override
    public Optional<String> auth(String clientInput, MessageContext context) {
        return Optional.empty(); // never asked: our AUTH command does the exchange
    }

    @Override
    public Object getIdentity() {
        return user;
    }
}
