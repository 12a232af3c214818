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

    ConnectionLimiter(int max) {
        this.max = max;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        if (draining) {
            return SessionAcceptance.failure(421, "4.3.2 Service shutting down, try again later");
        }
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            log.warn("MR1008 refused a connection from {}: {} connections already open",
                    session.getRemoteAddress(), max);
            return SessionAcceptance.failure(421, "4.3.2 Too many connections, try again later");
        }
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        open.decrementAndGet();
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
