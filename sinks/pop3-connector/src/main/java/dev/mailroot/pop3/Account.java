package dev.mailroot.pop3;

import java.util.List;

/**
 * One remote POP3 mailbox the connector downloads from (docs/pop3-connector.md lists the keys).
 *
 * @param name            the account's name: in logs, file names and commands
 * @param host            the POP3 server
 * @param port            its port
 * @param security        none, starttls or ssl
 * @param user            the login
 * @param password        the password (the first line of passwordFile, if that was given)
 * @param type            user (everything to one mailbox) or global (routed by address)
 * @param mailbox         the local mailbox of a user account
 * @param routing         address patterns to mailboxes, for a global account
 * @param fallbackMailbox where a global account's mail that matches no pattern goes; null: to failed/
 * @param leaveOnServer   keep the messages on the server (they are fetched once, by UIDL)
 * @param intervalMinutes how often to retrieve
 * @param connectTimeoutSeconds how long to wait for the connection
 * @param readTimeoutSeconds    how long to wait for each reply
 * @param sslTrust        hosts whose certificates are trusted without a CA ("*" for any), or null
 */
record Account(String name, String host, int port, Security security, String user, String password, Type type,
               String mailbox, List<Route> routing, String fallbackMailbox, boolean leaveOnServer,
               int intervalMinutes, int connectTimeoutSeconds, int readTimeoutSeconds, String sslTrust) {

    enum Security { NONE, STARTTLS, SSL }

    enum Type { USER, GLOBAL }

    /** A global account's routing: recipients matching {@code pattern} go to {@code mailbox}. */
    record Route(Wildcard pattern, String mailbox) {
    }

    String where() {
        return host + ":" + port + " (" + security.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
