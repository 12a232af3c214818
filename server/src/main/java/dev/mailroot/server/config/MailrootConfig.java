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
 * @param outbound             the outbound queue: mail to remote domains
 */
public record MailrootConfig(Smtp smtp, List<String> domains, Mailboxes mailboxes, Delivery delivery,
                             Pickup pickup, Admin admin, Plugins plugins, Map<String, String> logging,
                             int shutdownGraceSeconds, Outbound outbound) {

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

    /**
     * The outbound queue (docs/outbound.md).
     *
     * @param threads               delivery attempts at once, all destinations together
     * @param perDestination        connections at once to one destination (a domain, or the smarthost)
     * @param maxRecipients         recipients per SMTP transaction
     * @param retryFirstMinutes     the first back-off after a temporary failure; it doubles per attempt
     * @param retryMaxMinutes       ... up to this
     * @param lifetimeHours         how long a recipient is retried before it fails (a DSN to the sender)
     * @param delayWarningHours     a recipient still queued this long after arrival: one delay DSN (0: never)
     * @param resolver              the DNS server for MX lookups ({@code dns://127.0.0.1:53}); empty: the system's
     * @param port                  the port MX hosts are connected on (25; tests use another)
     * @param tls                   STARTTLS towards MX hosts: {@code none}, {@code may} (opportunistic), {@code encrypt}
     * @param routes                a static transport map: domain (or {@code *}) → {@code host:port}, before DNS
     * @param smarthost             every remote message via this host (the ISP's relay), if its host is set
     * @param connectTimeoutSeconds how long a connection may take
     * @param commandTimeoutSeconds how long a reply may take
     * @param heloName              the name in EHLO; empty: {@code smtp.hostname}
     */
    public record Outbound(int threads, int perDestination, int maxRecipients, int retryFirstMinutes, int retryMaxMinutes,
                           int lifetimeHours, int delayWarningHours, String resolver, int port, String tls,
                           Map<String, String> routes, Smarthost smarthost, int connectTimeoutSeconds,
                           int commandTimeoutSeconds, String heloName) {
        public Outbound {
            routes = routes == null ? Map.of() : Map.copyOf(routes);
        }
    }

    /**
     * @param host     the relay's host name or address; empty: no smarthost
     * @param port     its port (587 submission, 465 is not supported: use 587 with STARTTLS)
     * @param user     the user name for AUTH, or empty for none
     * @param password the password
     * @param tls      {@code encrypt} (default: STARTTLS required, certificate verified), {@code may}, {@code none}
     * @param verify   whether the relay's certificate must be valid for its name
     */
    public record Smarthost(String host, int port, String user, String password, String tls, boolean verify) {
        public boolean enabled() {
            return host != null && !host.isBlank();
        }
    }

    /** The same configuration with other SMTP and admin ports (tests use 0). */
    public MailrootConfig withSmtpPort(int port) {
        Smtp s = smtp;
        return new MailrootConfig(new Smtp(s.bind(), port, s.hostname(), s.maxMessageSize(), s.maxRecipients(),
                s.maxConnections(), s.idleTimeoutSeconds()), domains, mailboxes, delivery, pickup,
                port == 0 ? new Admin(0, admin.hosts()) : admin, plugins, logging, shutdownGraceSeconds, outbound);
    }
}
