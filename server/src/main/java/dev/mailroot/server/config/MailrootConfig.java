package dev.mailroot.server.config;

import java.util.List;
import java.util.Map;

/**
 * The server's configuration: the embedded defaults ({@code defaults.yaml} beside this class)
 * overridden by {@code conf/mailroot.yaml}. Every key is documented in docs/configuration.md; the
 * names are a contract with scripts and administrators.
 *
 * @param smtp                 the SMTP listener
 * @param domains              the local domains; the first is the primary one
 * @param mailboxes            mailbox policy
 * @param delivery             the delivery workers
 * @param pickup               the pickup directory
 * @param admin                the admin endpoint
 * @param plugins              the plugin host and poison-message protection
 * @param logging              log levels by component ({@code pop3-connector: debug})
 * @param shutdownGraceSeconds how long a stop waits for messages in flight before it leaves them in
 *                             the spool for the next start
 */
public record MailrootConfig(Smtp smtp, List<String> domains, Mailboxes mailboxes, Delivery delivery,
                             Pickup pickup, Admin admin, Plugins plugins, Map<String, String> logging,
                             int shutdownGraceSeconds) {

    public MailrootConfig {
        domains = List.copyOf(domains);
        logging = logging == null ? Map.of() : Map.copyOf(logging);
    }

    /**
     * @param bind               the address to listen on
     * @param port               the TCP port; 0 picks a free one
     * @param hostname           the name in the greeting and in Received headers; empty means the
     *                           machine's name
     * @param maxMessageSize     the largest message accepted, in bytes
     * @param maxRecipients      the most recipients per message
     * @param maxConnections     the most simultaneous SMTP connections
     * @param idleTimeoutSeconds how long a connection may stay silent
     */
    public record Smtp(String bind, int port, String hostname, int maxMessageSize, int maxRecipients,
                       int maxConnections, int idleTimeoutSeconds) {
    }

    /**
     * @param autoCreate create a mailbox on its first delivery; if false, unknown mailboxes are
     *                   refused (only without {@code conf/mailboxes.yaml}: with it, the directory decides)
     * @param lineEnding {@code lf} or {@code crlf}: the line ends of messages stored in Maildir
     */
    public record Mailboxes(boolean autoCreate, String lineEnding) {
        /** Whether messages are stored with CRLF line ends (else LF). */
        public boolean crlf() {
            return "crlf".equalsIgnoreCase(lineEnding);
        }
    }

    /**
     * @param threads          how many messages are processed (sinks, delivery) at once
     * @param giveUpAfterHours how long a message whose delivery keeps failing temporarily stays in
     *                         the spool before it goes to badmail
     */
    public record Delivery(int threads, int giveUpAfterHours, Lmtp lmtp) {
        public Delivery(int threads, int giveUpAfterHours) {
            this(threads, giveUpAfterHours, null);
        }
    }

    /**
     * Where mailboxes are stored when not in Maildir: an LMTP server (Dovecot's {@code lmtp}).
     *
     * @param host           its address (with {@code port})
     * @param port           its port
     * @param socket         a Unix socket path instead of host and port
     * @param timeoutSeconds the longest wait for a reply
     */
    public record Lmtp(String host, Integer port, String socket, Integer timeoutSeconds) {
        /** Whether LMTP is configured (a host or a socket); else mailboxes are stored in Maildir. */
        public boolean enabled() {
            return host != null && !host.isBlank() || socket != null && !socket.isBlank();
        }

        /** The address to connect to. */
        public java.net.SocketAddress address() {
            return socket != null && !socket.isBlank() ? java.net.UnixDomainSocketAddress.of(socket)
                    : new java.net.InetSocketAddress(host, port);
        }

        public java.time.Duration timeout() {
            return java.time.Duration.ofSeconds(timeoutSeconds == null ? 60 : timeoutSeconds);
        }
    }

    /**
     * @param enabled       whether files in {@code mailroot/pickup/} are submitted
     * @param settleMillis  a file is taken only once it has not changed for this long
     * @param rescanSeconds the folder is listed at least this often, besides change notifications
     * @param watch         whether the operating system's change notifications wake the scanner
     */
    public record Pickup(boolean enabled, int settleMillis, int rescanSeconds, boolean watch) {
    }

    /**
     * @param port  the admin endpoint's port on 127.0.0.1; 0 picks a free one
     * @param hosts names besides the loopback ones that requests may carry in {@code Host} and
     *              {@code Origin} (lower case)
     */
    public record Admin(int port, List<String> hosts) {
        public Admin {
            hosts = hosts == null ? List.of() : List.copyOf(hosts);
        }
    }

    /**
     * @param bundled            whether the plugins bundled with Mailroot are loaded too (besides {@code plugins/})
     * @param loadTimeoutSeconds how long loading one plugin may take, its own start code included
     * @param poisonThreshold    how often the process may die while a sink handles a message before
     *                           the message is set aside in {@code mailroot/poison/}
     */
    public record Plugins(boolean bundled, int loadTimeoutSeconds, int poisonThreshold) {
    }

    /** The same configuration with other SMTP and admin ports (tests use 0). */
    public MailrootConfig withSmtpPort(int port) {
        Smtp s = smtp;
        return new MailrootConfig(new Smtp(s.bind(), port, s.hostname(), s.maxMessageSize(), s.maxRecipients(),
                s.maxConnections(), s.idleTimeoutSeconds()), domains, mailboxes, delivery, pickup,
                port == 0 ? new Admin(0, admin.hosts()) : admin, plugins, logging, shutdownGraceSeconds);
    }
}
