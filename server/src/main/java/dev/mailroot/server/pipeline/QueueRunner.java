package dev.mailroot.server.pipeline;

import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.delivery.DeliveryReport;
import dev.mailroot.server.delivery.LocalDelivery;
import dev.mailroot.server.dispatch.DispatchResult;
import dev.mailroot.server.dispatch.Dispatcher;
import dev.mailroot.server.dispatch.SpooledSubmission;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.Stage;
import dev.mailroot.sink.Fate;
import jakarta.mail.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves spooled messages through the rest of their journey: the OnSubmission stage, then local
 * delivery, badmail for what cannot be delivered, and finally out of the spool. A fixed pool of
 * workers handles one message each at a time; temporary failures are retried later with the
 * message kept (and re-written) in the spool.
 */
public final class QueueRunner {
    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);

    private final Spool spool;
    private final Dispatcher dispatcher;
    private final LocalDelivery delivery;
    private final Badmail badmail;
    private final RetryPolicy retry;
    private final Clock clock;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final Session mailSession = Session.getInstance(new Properties());
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    /** Set when the shutdown grace ran out: workers leave their message in the spool as it is. */
    private volatile boolean abandoned;

    public QueueRunner(Spool spool, Dispatcher dispatcher, LocalDelivery delivery, Badmail badmail, int threads,
                       RetryPolicy retry, Clock clock) {
        this.spool = spool;
        this.dispatcher = dispatcher;
        this.delivery = delivery;
        this.badmail = badmail;
        this.retry = retry;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "delivery-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "delivery-retry"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Queues the messages found in the spool at start. */
    public void resume(Collection<SpoolEntry> entries) {
        if (!entries.isEmpty()) {
            log.info("MR1012 resuming {} message(s) found in the spool", entries.size());
        }
        entries.forEach(this::enqueue);
    }

    /** Queues a message that was just spooled. */
    public void enqueue(SpoolEntry entry) {
        if (!stopping) {
            workers.execute(() -> process(entry));
        }
    }

    /** Messages being processed right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Messages waiting for a worker. */
    public int waiting() {
        return workers.getQueue().size();
    }

    /**
     * Lets the messages being processed finish, for at most {@code grace}; messages not started
     * stay in the spool for the next start.
     *
     * @return true if everything in flight finished
     */
    public boolean stop(Duration grace) {
        stopping = true;
        timer.shutdownNow();
        workers.shutdown();
        boolean finished;
        try {
            finished = workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished) {
            abandoned = true;
            log.warn("{} message(s) still in flight after {} s; they stay in the spool and resume at the next start",
                    inFlight.get(), grace.toSeconds());
            workers.shutdownNow();
        }
        return finished;
    }

    private void process(SpoolEntry entry) {
        if (stopping) {
            return;
        }
        inFlight.incrementAndGet();
        MDC.put("msgId", entry.id());
        try {
            if (entry.stage() == Stage.SUBMITTED && !runSinks(entry)) {
                return;
            }
            if (abandoned) {
                return;
            }
            deliver(entry);
        } catch (IOException | RuntimeException e) {
            retryLater(entry, entry.envelope(), e.toString());
        } finally {
            MDC.remove("msgId");
            inFlight.decrementAndGet();
        }
    }

    /** Runs the OnSubmission stage; returns false if the message's journey ended there. */
    private boolean runSinks(SpoolEntry entry) throws IOException {
        MessageContent content = spool.content(entry);
        SpooledSubmission submission = new SpooledSubmission(entry, content, mailSession);
        DispatchResult result = dispatcher.dispatch(submission);
        if (abandoned) {
            return false; // shutting down: the sinks run again at the next start
        }
        Fate fate = result.fate();
        switch (fate.kind()) {
            case ABORT_DELIVERY -> {
                log.info("MR2002 delivery aborted by binding {}: {}", result.setBy(), fate.reason());
                spool.done(entry, "aborted");
                return false;
            }
            case BADMAIL -> {
                SpoolEnvelope env = submission.resultEnvelope();
                String reason = "OnSubmission binding " + result.setBy() + ": " + fate.reason();
                toBadmail(entry, env, env.recipients(), submission.current(), reason, List.of());
                return false;
            }
            default -> {
                if (submission.envelopeChanged() || submission.headersChanged()) {
                    spool.update(entry, submission.resultEnvelope(), Stage.DISPATCHED, submission.resultOverride());
                } else {
                    spool.markDispatched(entry);
                }
                return true;
            }
        }
    }

    private void deliver(SpoolEntry entry) throws IOException {
        SpoolEnvelope env = entry.envelope();
        MessageContent content = spool.content(entry);
        String newline = HeaderSection.newlineOf(content);
        if (env.recipients().isEmpty()) {
            toBadmail(entry, env, List.of(), content, "no recipients left after the OnSubmission sinks", List.of());
            return;
        }
        DeliveryReport report = delivery.deliver(entry.id(), env, content, newline);
        if (!report.permanent().isEmpty()) {
            List<String> rcpts = report.permanent().stream().map(DeliveryReport.Failure::recipient).toList();
            List<Badmail.Failure> failures = report.permanent().stream()
                    .map(f -> new Badmail.Failure(f.recipient(), f.reason())).toList();
            writeBadmail(entry, env, rcpts, content, newline, rcpts.size() + " recipient(s) cannot be delivered", failures);
        }
        if (report.temporary().isEmpty()) {
            spool.done(entry, report.delivered().isEmpty() ? "badmail" : "delivered");
            return;
        }
        List<String> pending = report.temporary().stream().map(DeliveryReport.Failure::recipient).toList();
        String lastReason = report.temporary().get(0).reason();
        if (Duration.between(env.arrivalTime(), clock.instant()).compareTo(retry.giveUpAfter()) >= 0) {
            List<Badmail.Failure> failures = report.temporary().stream()
                    .map(f -> new Badmail.Failure(f.recipient(), f.reason())).toList();
            writeBadmail(entry, env, pending, content, newline,
                    "delivery kept failing for " + retry.giveUpAfter().toHours() + " h", failures);
            spool.done(entry, "badmail");
            return;
        }
        retryLater(entry, env.withRecipients(pending), lastReason);
    }

    private void toBadmail(SpoolEntry entry, SpoolEnvelope env, List<String> rcpts, MessageContent content,
                           String reason, List<Badmail.Failure> failures) throws IOException {
        String newline = HeaderSection.newlineOf(content);
        writeBadmail(entry, env, rcpts, content, newline, reason, failures);
        spool.done(entry, "badmail");
    }

    private void writeBadmail(SpoolEntry entry, SpoolEnvelope env, List<String> rcpts, MessageContent content,
                              String newline, String reason, List<Badmail.Failure> failures) throws IOException {
        var file = badmail.write(entry.id(), env, rcpts, content, newline, reason, failures);
        log.warn("MR3003 sent to badmail as {}: {}", file.getFileName(), reason);
    }

    /**
     * Re-writes the message with the recipients still pending (so it does not pin an old spool
     * segment while it waits) and queues it again after the retry delay.
     */
    private void retryLater(SpoolEntry entry, SpoolEnvelope pending, String reason) {
        if (stopping) {
            return;
        }
        int failures = entry.recordFailedAttempt();
        Duration delay = retry.delayAfter(failures);
        try {
            spool.rewrite(entry, pending);
        } catch (IOException e) {
            log.warn("could not re-write the message in the spool: {}", e.toString());
        }
        log.warn("MR3002 will be retried at {} (attempt {} failed: {})", Instant.now(clock).plus(delay), failures, reason);
        try {
            timer.schedule(() -> enqueue(entry), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: the message stays in the spool for the next start
        }
    }
}
