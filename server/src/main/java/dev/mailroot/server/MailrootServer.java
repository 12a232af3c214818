package dev.mailroot.server;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.delivery.LocalDelivery;
import dev.mailroot.server.dispatch.Dispatcher;
import dev.mailroot.server.dispatch.SinkChain;
import dev.mailroot.server.pipeline.QueueRunner;
import dev.mailroot.server.pipeline.RetryPolicy;
import dev.mailroot.server.smtp.SmtpIntake;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * A running Mailroot: wires intake, spool, OnSubmission stage, delivery and badmail, and stops
 * them in the order that loses nothing (intake first, the spool last).
 */
public final class MailrootServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MailrootServer.class);

    private final MailrootConfig config;
    private final Spool spool;
    private final QueueRunner queue;
    private final SmtpIntake smtp;
    private boolean stopped;

    private MailrootServer(MailrootConfig config, Spool spool, QueueRunner queue, SmtpIntake smtp) {
        this.config = config;
        this.spool = spool;
        this.queue = queue;
        this.smtp = smtp;
    }

    /**
     * Starts a server in {@code home}: recovers the spool, resumes what was in it, then opens SMTP.
     *
     * @param sinks the OnSubmission bindings to run
     */
    public static MailrootServer start(Home home, MailrootConfig config, SinkChain sinks, Clock clock)
            throws IOException {
        home.create();
        Spool spool = Spool.open(home.queue(), Spool.Options.defaults());
        try {
            LocalRecipients recipients = new LocalRecipients(config.domains(), home.mailboxes(),
                    config.mailboxes().autoCreate());
            QueueRunner queue = new QueueRunner(spool, new Dispatcher(sinks),
                    new LocalDelivery(recipients, config.smtp().hostname(), clock),
                    new Badmail(home.badmail(), clock), config.delivery().threads(),
                    RetryPolicy.standard(Duration.ofHours(config.delivery().giveUpAfterHours())), clock);
            queue.resume(spool.recovered());
            SmtpIntake smtp = new SmtpIntake(config.smtp(), recipients, spool, new MessageIds(clock), clock,
                    queue::enqueue);
            smtp.start();
            log.info("Mailroot started in {} (domains {}, {} message(s) in the spool)", home.root(),
                    config.domains(), spool.size());
            return new MailrootServer(config, spool, queue, smtp);
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
    }

    public int smtpPort() {
        return smtp.port();
    }

    public Spool spool() {
        return spool;
    }

    /**
     * Stops: SMTP refuses new work and lets transactions in DATA finish, messages being processed
     * finish (within {@code shutdownGraceSeconds}), and what is left stays in the spool.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        Duration grace = Duration.ofSeconds(config.shutdownGraceSeconds());
        long started = System.nanoTime();
        smtp.stop(grace);
        Duration left = grace.minusNanos(System.nanoTime() - started);
        queue.stop(left.isNegative() ? Duration.ZERO : left);
        try {
            spool.close();
        } catch (IOException e) {
            log.error("closing the spool failed: {}", e.toString());
        }
        log.info("Mailroot stopped ({} message(s) left in the spool for the next start)", spool.size());
    }

    @Override
    public void close() {
        stop();
    }
}
