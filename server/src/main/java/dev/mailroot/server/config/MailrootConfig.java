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
 * @param listeners            the SMTP listeners; empty: one listener {@code mx} on {@code smtp.bind}
 *                             and {@code smtp.port} (see {@link #effectiveListeners()})
 * @param tls                  the server's certificate, shared by every listener
 * @param auth                 SMTP AUTH: where plaintext is allowed, failure delay and lockout
 * @param relay                who may send to domains that are not local besides authenticated users
 * @param outbound             the outbound queue: mail to remote domains
 * @param doctor               the server's own periodic doctor run
 */
public record MailrootConfig(Smtp smtp, List<String> domains, Mailboxes mailboxes, Delivery delivery,
                             Pickup pickup, Admin admin, Plugins plugins, Map<String, String> logging,
                             int shutdownGraceSeconds, List<Listener> listeners, Tls tls, Auth auth, Relay relay,
                             Outbound outbound, Doctor doctor) {

    public MailrootConfig {
        domains = List.copyOf(domains);
        logging = logging == null ? Map.of() : Map.copyOf(logging);
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        tls = tls == null ? new Tls("", "") : tls;
        auth = auth == null ? Auth.DEFAULTS : auth;
        relay = relay == null ? new Relay(List.of()) : relay;
        outbound = outbound == null ? Outbound.DEFAULTS : outbound;
        doctor = doctor == null ? Doctor.DEFAULTS : doctor;
    }

    /** A configuration with the default doctor settings. */
    public MailrootConfig(Smtp smtp, List<String> domains, Mailboxes mailboxes, Delivery delivery,
                          Pickup pickup, Admin admin, Plugins plugins, Map<String, String> logging,
                          int shutdownGraceSeconds, List<Listener> listeners, Tls tls, Auth auth, Relay relay,
                          Outbound outbound) {
        this(smtp, domains, mailboxes, delivery, pickup, admin, plugins, logging, shutdownGraceSeconds, listeners, tls, auth,
                relay, outbound, null);
    }

    /**
     * @param intervalMinutes how often the running server runs the doctor (logging each warning or
     *                        failure once per change, serving the latest at {@code GET /doctor}); 0: never
     */
    public record Doctor(int intervalMinutes) {
        public static final Doctor DEFAULTS = new Doctor(5);
    }

    /** A configuration without listeners, TLS, AUTH or relay settings (their defaults). */
    public MailrootConfig(Smtp smtp, List<String> domains, Mailboxes mailboxes, Delivery delivery,
                          Pickup pickup, Admin admin, Plugins plugins, Map<String, String> logging,
                          int shutdownGraceSeconds) {
        this(smtp, domains, mailboxes, delivery, pickup, admin, plugins, logging, shutdownGraceSeconds,
                List.of(), null, null, null, null, null);
    }

    /**
     * The listeners to open: {@code listeners}, or when it is empty the one the {@code smtp:} keys
     * describe ({@code mx}: anonymous, STARTTLS offered, AUTH after TLS).
     */
    public List<Listener> effectiveListeners() {
        if (!listeners.isEmpty()) {
            return listeners;
        }
        return List.of(new Listener("mx", smtp.bind(), smtp.port(), Listener.STARTTLS, true, true));
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
     * @param retryFirst            the first back-off after a temporary failure ({@code 5m}); it doubles per attempt
     * @param retryMax              ... up to this ({@code 1h})
     * @param lifetime              how long a recipient is retried before it fails, a DSN to the sender ({@code 5d})
     * @param delayWarning          a recipient still queued this long after arrival: one delay DSN ({@code 4h}; {@code 0}: never)
     * @param resolver              the DNS server for MX lookups ({@code dns://127.0.0.1:53}); empty: the system's
     * @param port                  the port MX hosts are connected on (25; tests use another)
     * @param tls                   STARTTLS towards MX hosts: {@code none}, {@code may} (opportunistic), {@code encrypt}
     * @param routes                a static transport map: domain (or {@code *}) → {@code host:port}, before DNS
     * @param smarthost             every remote message via this host (the ISP's relay), if its host is set
     * @param connectTimeoutSeconds how long a connection may take
     * @param commandTimeoutSeconds how long a reply may take
     * @param heloName              the name in EHLO; empty: {@code smtp.hostname}
     */
    public record Outbound(int threads, int perDestination, int maxRecipients, String retryFirst, String retryMax,
                           String lifetime, String delayWarning, String resolver, int port, String tls,
                           Map<String, String> routes, Smarthost smarthost, int connectTimeoutSeconds,
                           int commandTimeoutSeconds, String heloName) {
        /** The embedded defaults (as in defaults.yaml). */
        public static final Outbound DEFAULTS = new Outbound(20, 5, 50, "5m", "1h", "5d", "4h", "", 25, "may", Map.of(),
                new Smarthost("", 587, "", "", "encrypt", true), 30, 300, "");

        public Outbound {
            routes = routes == null ? Map.of() : Map.copyOf(routes);
        }

        /**
         * A duration as the configuration writes it: a whole number and a unit, {@code s}, {@code m},
         * {@code h} or {@code d} ({@code 90s}, {@code 5m}, {@code 4h}, {@code 5d}); {@code 0} is zero.
         *
         * @throws IllegalArgumentException if it is not one
         */
        public static java.time.Duration duration(String text) {
            String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("0")) {
                return java.time.Duration.ZERO;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})([smhd])").matcher(t);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (90s, 5m, 4h, 5d)");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                case "h" -> java.time.Duration.ofHours(n);
                default -> java.time.Duration.ofDays(n);
            };
        }
    }

    /**
     * One SMTP listener: its own port, TLS mode and access rules; the limits ({@code smtp.maxMessageSize}
     * and the others) and the host name are the {@code smtp:} keys'.
     *
     * @param name      a short name for logs and {@code Received:} fields ({@code mx}, {@code submission})
     * @param bind      the address to listen on
     * @param port      the TCP port; 0 picks a free one
     * @param tls       {@code none}, {@code starttls} (offered), {@code required} (STARTTLS before
     *                  anything but EHLO, NOOP, QUIT) or {@code implicit} (TLS from the first byte)
     * @param anonymous whether mail is accepted without AUTH (to local recipients only, unless the
     *                  client is in {@code relay.trustedNetworks})
     * @param auth      whether AUTH is offered here
     */
    @com.fasterxml.jackson.databind.annotation.JsonDeserialize(builder = Listener.Builder.class)
    public record Listener(String name, String bind, int port, String tls, boolean anonymous, boolean auth) {
        public static final String NONE = "none";
        public static final String STARTTLS = "starttls";
        public static final String REQUIRED = "required";
        public static final String IMPLICIT = "implicit";
        public static final List<String> TLS_MODES = List.of(NONE, STARTTLS, REQUIRED, IMPLICIT);

        /** Whether STARTTLS is offered (before TLS). */
        public boolean offersStartTls() {
            return STARTTLS.equals(tls) || REQUIRED.equals(tls);
        }

        public Listener withPort(int p) {
            return new Listener(name, bind, p, tls, anonymous, auth);
        }

        /**
         * Reads one entry of {@code listeners:}; keys left out are null here and get their defaults
         * in {@link ConfigLoader} (a list entry has no embedded default to merge with).
         */
        @com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder(withPrefix = "")
        public static final class Builder {
            String name;
            String bind;
            Integer port;
            String tls;
            Boolean anonymous;
            Boolean auth;

            public Builder name(String v) { name = v; return this; }
            public Builder bind(String v) { bind = v; return this; }
            public Builder port(Integer v) { port = v; return this; }
            public Builder tls(String v) { tls = v; return this; }
            public Builder anonymous(Boolean v) { anonymous = v; return this; }
            public Builder auth(Boolean v) { auth = v; return this; }

            /**
             * The listener with the defaults for what was left out: port 465 means implicit TLS and
             * 587 required STARTTLS, both without anonymous mail (RFC 8314, RFC 6409); any other port
             * offers STARTTLS and takes anonymous mail for the local domains.
             */
            public Listener build() {
                int p = port == null ? -1 : port;
                boolean submission = p == 465 || p == 587;
                String t = tls != null ? tls.toLowerCase(java.util.Locale.ROOT) : p == 465 ? IMPLICIT : p == 587 ? REQUIRED : STARTTLS;
                return new Listener(name, bind, p, t, anonymous != null ? anonymous : !submission, auth == null || auth);
            }
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

    /**
     * The certificate and key every TLS listener presents (PEM files). Empty: a self-signed
     * certificate is made at the first TLS handshake and kept in {@code mailroot/tls/}.
     *
     * @param cert the certificate chain, server certificate first; relative to {@code conf/}
     * @param key  the private key, PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted; relative to {@code conf/}
     */
    public record Tls(String cert, String key) {
        public boolean configured() {
            return cert != null && !cert.isBlank();
        }
    }

    /**
     * @param allowPlaintextOnLoopback whether AUTH is allowed without TLS from a loopback client
     * @param failureDelayMillis       how long a failed AUTH waits before its {@code 535}
     * @param lockoutFailures          failed AUTHs from one IP address, within {@code lockoutSeconds},
     *                                 that lock the address out
     * @param lockoutSeconds           how long a locked-out address is refused ({@code 454 4.7.0})
     */
    public record Auth(boolean allowPlaintextOnLoopback, int failureDelayMillis, int lockoutFailures, int lockoutSeconds) {
        public static final Auth DEFAULTS = new Auth(false, 1000, 5, 900);
    }

    /**
     * @param trustedNetworks client networks ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or one
     *                        address) that may send to any domain without AUTH; empty by default
     */
    public record Relay(List<String> trustedNetworks) {
        public Relay {
            trustedNetworks = trustedNetworks == null ? List.of() : List.copyOf(trustedNetworks);
        }
    }

    /** The same configuration with other SMTP (every listener's) and admin ports (tests use 0). */
    public MailrootConfig withSmtpPort(int port) {
        Smtp s = smtp;
        return new MailrootConfig(new Smtp(s.bind(), port, s.hostname(), s.maxMessageSize(), s.maxRecipients(),
                s.maxConnections(), s.idleTimeoutSeconds()), domains, mailboxes, delivery, pickup,
                port == 0 ? new Admin(0, admin.hosts()) : admin, plugins, logging, shutdownGraceSeconds,
                listeners.stream().map(l -> l.withPort(port)).toList(), tls, auth, relay, outbound, doctor);
    }
}
