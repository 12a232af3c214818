package dev.mailroot.server.smtp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits SMTP connections up to the configured limit and answers the rest with
 * {@code 421 4.3.2} (SubEthaSMTP's own refusal has no enhanced status code). Also refuses new
 * connections while the server shuts down.
 */
final class ConnectionLimiter implements SessionHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean draining;

    private final dev.mailroot.server.metrics.ListenerMeters meters;

    ConnectionLimiter(int max, dev.mailroot.server.metrics.ListenerMeters meters) {
        this.max = max;
        this.meters = meters;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        if (draining) {
            meters.rejected(421);
            return SessionAcceptance.failure(421, "4.3.2 Service shutting down, try again later");
        }
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            meters.rejected(421);
            log.warn("MR1008 refused a connection from {}: {} connections already open",
                    session.getRemoteAddress(), max);
            return SessionAcceptance.failure(421, "4.3.2 Too many connections, try again later");
        }
        meters.opened();
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        meters.closed();
        open.decrementAndGet();
    }

    /** A connection refused after admission (an OnConnect sink): counted as a refusal with {@code code}. */
    void refused(int code) {
        meters.rejected(code);
    }

    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    int open() {
        return open.get();
    }
}
