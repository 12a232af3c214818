package dev.mailroot.server.smtp;

import dev.mailroot.server.admission.Admission;
import dev.mailroot.server.config.MailrootConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.SMTPServer;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One SMTP listener (SubEthaSMTP): accepts mail for the local domains (and, from authenticated or
 * trusted clients, for any domain) and hands each message, once durable in the spool, to the next
 * stage. Its TLS mode and access rules are its {@link MailrootConfig.Listener}'s; the limits are the
 * {@code smtp:} keys'. Stops gracefully: new connections and new DATA are refused with
 * {@code 421 4.3.2}, transactions already in DATA finish, then the listener closes.
 */
public final class SmtpIntake {
    private static final Logger log = LoggerFactory.getLogger(SmtpIntake.class);

    private final MailrootConfig.Smtp config;
    private final Access access;
    /** The server's certificate; null for a listener with {@code tls: none}. */
    private final dev.mailroot.server.tls.ServerKeys keys;
    private final Admission admission;
    private final ConnectionLimiter limiter;
    private final ProtocolHooks hooks;
    private final dev.mailroot.server.protocol.Quarantine quarantine;
    private final AtomicInteger inData = new AtomicInteger();
    /** Each TLS socket's plain socket underneath, which knows whether the client's input ended. */
    private final java.util.Map<java.net.Socket, java.net.Socket> plainUnder =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private SMTPServer server;

    /** Counts the transactions in DATA, so that a stop lets them finish; refuses new ones while stopping. */
    interface Transactions {
        /** A DATA begins; false if the server is stopping (the client gets {@code 421}). */
        boolean begin();

        /** The DATA ended, spooled or not. */
        void end();
    }

    private final Transactions transactions = new Transactions() {
        @Override
        public boolean begin() {
            inData.incrementAndGet();
            if (limiter.draining()) {
                inData.decrementAndGet();
                return false;
            }
            return true;
        }

        @Override
        public void end() {
            inData.decrementAndGet();
        }
    };

    /**
     * @param access     the listener and its rules
     * @param keys       the server's certificate (unused with {@code tls: none})
     * @param admission  where each message goes in: made durable and handed to the queue
     * @param events     the protocol events, or null to run none (a server with in-process sinks)
     * @param quarantine where OnEndOfData sinks' quarantined messages go; null when {@code events} is
     */
    SmtpIntake(MailrootConfig.Smtp config, Access access, dev.mailroot.server.tls.ServerKeys keys, Admission admission,
               dev.mailroot.server.protocol.ProtocolEvents events, dev.mailroot.server.protocol.Quarantine quarantine) {
        this.config = config;
        this.access = access;
        this.keys = access.listener().tls().equals(MailrootConfig.Listener.NONE) ? null : keys;
        this.admission = admission;
        this.limiter = new ConnectionLimiter(config.maxConnections(), access.meters());
        this.hooks = events == null ? null : new ProtocolHooks(events, limiter);
        this.quarantine = quarantine;
    }

    /** Binds the port and starts accepting connections. */
    public void start() throws IOException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService sessions = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "smtp-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        MailrootConfig.Listener listener = access.listener();
        int deadline = config.idleTimeoutSeconds() * 1000;
        SMTPServer.Builder builder = SMTPServer.port(listener.port())
                .bindAddress(InetAddress.getByName(listener.bind()))
                .hostName(config.hostname())
                .softwareName("Mailroot")
                .messageHandlerFactory(ctx -> new IntakeHandler(ctx, admission, config, access, transactions, hooks, quarantine,
                        this::plainOf))
                .sessionHandler(hooks == null ? limiter : hooks)
                // our limiter answers 421 4.3.2 first; SubEthaSMTP's own limit is only a backstop
                .maxConnections(config.maxConnections() * 2 + 10)
                .maxRecipients(-1) // counted by IntakeHandler, which answers 452 4.5.3
                .maxMessageSize(config.maxMessageSize())
                .connectionTimeout(config.idleTimeoutSeconds(), TimeUnit.SECONDS)
                .insertReceivedHeaders(false)
                .executorService(sessions)
                .serverThreadName("smtp-accept-" + listener.name());
        if (listener.tls().equals(MailrootConfig.Listener.IMPLICIT)) {
            builder.serverSocketFactory(() -> LineDeadlineSockets.tlsServerSocket(deadline, this::wrap));
        } else {
            builder.serverSocketFactory(() -> LineDeadlineSockets.serverSocket(deadline));
        }
        if (listener.offersStartTls()) {
            builder.enableTLS().startTlsSocketFactory(this::wrap);
        }
        server = builder.build();
        ClampedSizeMailCommand.install(server);
        ListenerCommands.installCommands(server, access, hooks);
        if (hooks != null) {
            hooks.install(server);
        }
        ListenerCommands.installGates(server, access);
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + listener.bind() + ":" + listener.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        log.info("MR1010 SMTP listening on {}:{} as {} (listener {}: tls {}, {}, AUTH {})", listener.bind(), port(),
                config.hostname(), listener.name(), listener.tls(), listener.anonymous() ? "anonymous mail for local domains"
                        : "AUTH required", listener.auth() ? "offered" : "off");
    }

    private javax.net.ssl.SSLSocket wrap(java.net.Socket plain) throws IOException {
        javax.net.ssl.SSLSocket s = keys.serverSide(plain);
        plainUnder.put(s, plain);
        return s;
    }

    /** The plain socket under a TLS one (itself for a plain socket). */
    private java.net.Socket plainOf(java.net.Socket s) {
        java.net.Socket p = plainUnder.get(s);
        return p == null ? s : p;
    }

    /** The listener's configuration. */
    public MailrootConfig.Listener listener() {
        return access.listener();
    }

    /** The port actually bound (useful when configured as 0). */
    public int port() {
        return server.getPortAllocated();
    }

    /**
     * Refuses new connections and new DATA, waits up to {@code grace} for transactions in DATA to
     * be spooled, then closes every connection.
     */
    public void stop(Duration grace) {
        if (server == null) {
            return;
        }
        limiter.drain();
        long deadline = System.nanoTime() + grace.toNanos();
        while (inData.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop();
        log.info("SMTP listener stopped");
    }

}
