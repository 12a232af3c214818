package dev.mailroot.server.pipeline;

import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.delivery.DeliveryReport;
import dev.mailroot.server.delivery.LocalDelivery;
import dev.mailroot.server.dispatch.DispatchResult;
import dev.mailroot.server.dispatch.Dispatcher;
import dev.mailroot.server.dispatch.SinkMail;
import dev.mailroot.server.dispatch.SpooledSubmission;
import dev.mailroot.server.spool.Progress;
import dev.mailroot.server.spool.RecipientOutcome;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.server.tracking.MessageTracking;
import java.nio.file.Path;
import java.util.Locale;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves spooled messages through the rest of their journey: the OnSubmission stage, then local
 * delivery, badmail for what cannot be delivered, and finally out of the spool. A fixed pool of
 * workers handles one message each at a time; temporary failures are retried later with the
 * message kept (and re-written) in the spool.
 *
 * <p>Nothing runs until {@link #open()} (the server calls it once the plugins present at start
 * have loaded, or their time limit ran out), so mail resumed at start never passes a filter whose
 * plugin has not loaded yet; intake meanwhile goes on. Then the messages on probation (in a sink
 * call when the process died, see {@link PoisonMessages}) run one at a time, alone, and only then
 * everything else.
 */
public final class QueueRunner {
    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);

    private final Spool spool;
    private final Dispatcher dispatcher;
    private final LocalDelivery delivery;
    private final Badmail badmail;
    private final RetryPolicy retry;
    private final Clock clock;
    private final PoisonMessages poison;
    private final SinkMail sinkMail;
    private final MessageTracking tracking;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    /** Guards {@link #open}, {@link #held} and {@link #probation}. */
    private final Object gate = new Object();
    private boolean open;
    private final List<SpoolEntry> held = new ArrayList<>();
    private final List<SpoolEntry> probation = new ArrayList<>();
    /**
     * A message that was in a sink call when the process died runs its sinks alone (write lock),
     * whenever it runs, not only at start: a later death must be its own to count against it.
     * Every other message's sinks run under the read lock.
     */
    private final java.util.concurrent.locks.ReadWriteLock alone = new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** Messages waiting for a missing sink ({@code onMissing: tempfail}), woken when the plugins change. */
    private final Map<String, Waiting> waitingForSinks = new ConcurrentHashMap<>();
    private final Session mailSession = Session.getInstance(new Properties());
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    /** Where remote recipients go; null: they are refused as before outbound delivery existed. */
    private volatile dev.mailroot.server.outbound.OutboundQueue outbound;
    /** Set when the shutdown grace ran out: workers leave their message in the spool as it is. */
    private volatile boolean abandoned;

    private record Waiting(SpoolEntry entry, ScheduledFuture<?> timer) {
    }

    /** The shortest wait a sink's {@code Fate.defer} may ask for: no sink spins a message through the spool. */
    private static final Duration MIN_DEFER = Duration.ofSeconds(1);

    private final dev.mailroot.server.metrics.ServerMetrics metrics;

    public QueueRunner(Spool spool, Dispatcher dispatcher, LocalDelivery delivery, Badmail badmail,
                       PoisonMessages poison, int threads, RetryPolicy retry, Clock clock) {
        this(spool, dispatcher, delivery, badmail, poison, threads, retry, clock, SinkMail.NONE, new MessageTracking());
    }

    /**
     * @param sinkMail where mail sent by sinks is admitted
     * @param tracking the message-tracking log, written when a message leaves
     */
    public QueueRunner(Spool spool, Dispatcher dispatcher, LocalDelivery delivery, Badmail badmail,
                       PoisonMessages poison, int threads, RetryPolicy retry, Clock clock, SinkMail sinkMail,
                       MessageTracking tracking) {
        this(spool, dispatcher, delivery, badmail, poison, threads, retry, clock, sinkMail, tracking,
                dev.mailroot.server.metrics.ServerMetrics.disabled());
    }

    /** As above, counting local deliveries in {@code metrics} ({@code mailroot_local_deliveries_total}). */
    public QueueRunner(Spool spool, Dispatcher dispatcher, LocalDelivery delivery, Badmail badmail,
                       PoisonMessages poison, int threads, RetryPolicy retry, Clock clock, SinkMail sinkMail,
                       MessageTracking tracking, dev.mailroot.server.metrics.ServerMetrics metrics) {
        this.metrics = metrics;
        this.sinkMail = sinkMail;
        this.tracking = tracking;
        this.spool = spool;
        this.poison = poison;
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

    /**
     * Takes the messages found in the spool at start: poison ones go to the poison folder now,
     * the ones on probation wait to run alone first, the others wait for {@link #open()}.
     */
    public void resume(Collection<SpoolEntry> entries) {
        if (!entries.isEmpty()) {
            log.info("MR1012 resuming {} message(s) found in the spool", entries.size());
        }
        for (SpoolEntry e : entries) {
            MDC.put("msgId", e.id());
            try {
                if (poison.isPoison(e)) {
                    setAside(e);
                } else if (poison.onProbation(e)) {
                    log.warn("MR2007 the server died while binding(s) {} handled this message ({} of {} times before it is "
                            + "set aside as poison); it runs alone before any other message", PoisonMessages.describe(e),
                            e.crashes(), poison.threshold());
                    synchronized (gate) {
                        probation.add(e);
                    }
                } else {
                    enqueue(e);
                }
            } finally {
                MDC.remove("msgId");
            }
        }
    }

    private void setAside(SpoolEntry e) {
        try {
            poison.setAside(spool, e);
            tracking.write(e.id(), e.progress().traced(List.of(event("poison", "reason",
                    "the server died " + e.crashes() + " times while a sink was handling it", "bindings",
                    PoisonMessages.describe(e)))).trace());
        } catch (IOException | RuntimeException ex) {
            // it stays in the spool, counted: the next start tries again, and it never runs meanwhile
            log.error("MR2006 poison message cannot be moved to the poison folder: {}; it stays in the spool and does "
                    + "not run", ex.toString());
        }
    }

    /**
     * Starts the work: the messages on probation first, one at a time and alone, then everything
     * held meanwhile. Called once.
     */
    public void open() {
        List<SpoolEntry> suspects;
        synchronized (gate) {
            suspects = List.copyOf(probation);
            probation.clear();
        }
        try {
            workers.execute(() -> {
                for (SpoolEntry e : suspects) {
                    process(e);
                }
                List<SpoolEntry> release;
                synchronized (gate) {
                    open = true;
                    release = List.copyOf(held);
                    held.clear();
                }
                release.forEach(this::enqueue);
            });
        } catch (RejectedExecutionException e) {
            // stopping before it opened: everything stays in the spool
        }
    }

    /** Queues a message that was just spooled. */
    public void enqueue(SpoolEntry entry) {
        if (stopping) {
            return;
        }
        synchronized (gate) {
            if (!open) {
                held.add(entry);
                return;
            }
        }
        try {
            workers.execute(() -> process(entry));
        } catch (RejectedExecutionException e) {
            // stopping: the message stays in the spool for the next start
        }
    }

    /** The plugins changed: messages waiting for a missing sink try again now instead of at their retry time. */
    public void sinksChanged() {
        for (Waiting w : List.copyOf(waitingForSinks.values())) {
            if (w.timer().cancel(false) && waitingForSinks.remove(w.entry().id(), w)) {
                enqueue(w.entry());
            }
        }
    }

    /** Sends remote recipients through {@code queue} (called once, at start). */
    public void outbound(dev.mailroot.server.outbound.OutboundQueue queue) {
        this.outbound = queue;
    }

    /** Messages being processed right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Messages waiting for a worker (or for processing to start). */
    public int waiting() {
        synchronized (gate) {
            return workers.getQueue().size() + held.size() + probation.size();
        }
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
        } catch (VirtualMachineError e) {
            // in the server's own code (a sink's Error is its binding's failure, caught by the
            // dispatcher): the process cannot be trusted any more; it ends with a non-zero status
            // and the message resumes after the restart
            log.error("MR1015 {} while processing the message; it stays in the spool", e.toString());
            throw e;
        } catch (Error e) {
            log.error("MR3002 processing failed with {}; the message stays in the spool and is retried", e.toString(), e);
            retryLater(entry, entry.envelope(), e.toString());
        } finally {
            MDC.remove("msgId");
            inFlight.decrementAndGet();
        }
    }

    /** Runs the OnSubmission stage; returns false if the message's journey ended there (or it waits). */
    private boolean runSinks(SpoolEntry entry) throws IOException {
        MessageContent content = spool.content(entry);
        SpooledSubmission submission = new SpooledSubmission(entry, content, mailSession, spool::newContentFile, sinkMail);
        java.util.concurrent.locks.Lock lock = entry.crashes() > 0 ? alone.writeLock() : alone.readLock();
        DispatchResult result;
        lock.lock();
        try {
            result = dispatcher.dispatch(submission);
        } finally {
            lock.unlock();
        }
        if (abandoned) {
            return false; // shutting down: the sinks run again at the next start
        }
        if (result.isWaitingForSink()) {
            waitForSink(entry, result);
            return false;
        }
        Fate fate = result.fate();
        SpoolEnvelope env = result.envelope();
        switch (fate.kind()) {
            case DEFER -> {
                deferred(entry, result);
                return false;
            }
            case ABORT_DELIVERY -> {
                log.info("MR2002 delivery aborted by {}: {}", who(result), fate.reason());
                Progress p = result.progress().traced(recipientOutcomes(entry, result));
                leave(entry, p, "aborted", event("aborted", "binding", result.setBy(), "reason", fate.reason()));
                return false;
            }
            case BADMAIL -> {
                Progress p = result.progress().traced(recipientOutcomes(entry, result));
                String reason = who(result) + ": " + fate.reason();
                Path file = writeBadmail(entry, env, env.recipients(), result.content(), reason, List.of());
                leave(entry, p, "badmail", event("badmail", "file", file.getFileName().toString(),
                        "recipients", String.join(",", env.recipients()), "reason", reason));
                return false;
            }
            default -> {
                List<TraceEntry> more = recipientOutcomes(entry, result);
                if (result.changed() || !more.isEmpty()) {
                    spool.update(entry, env, Stage.DISPATCHED, result.override(), result.progress().traced(more).chainEnded());
                    spool.discardContent(entry, result.madeFiles());
                } else {
                    spool.markDispatched(entry, result.ran() > 0, result.chainTrace());
                }
                return true;
            }
        }
    }

    /**
     * The recipients the sinks took out: rejected and badmailed ones go to badmail with their
     * reasons (one file for them all), dropped ones are logged. Called once, when the chain ends
     * (a deferred or interrupted chain carries its outcomes in the spool until then; a crash between
     * the badmail file and the record that ends the chain writes the file again). Returns the trace entries.
     */
    private List<TraceEntry> recipientOutcomes(SpoolEntry entry, DispatchResult result) throws IOException {
        List<RecipientOutcome> fresh = result.outcomes();
        if (fresh.isEmpty()) {
            return List.of();
        }
        List<TraceEntry> trace = new ArrayList<>();
        List<Badmail.Failure> failures = new ArrayList<>();
        for (RecipientOutcome o : fresh) {
            log.info("MR2009 recipient <{}> {} by binding {}: {}", o.recipient(), switch (o.kind()) {
                case "REJECT" -> "rejected";
                case "BADMAIL" -> "sent to badmail";
                default -> "dropped";
            }, o.binding(), o.reason());
            if (!o.kind().equals("DROP")) {
                failures.add(new Badmail.Failure(o.recipient(), o.kind().toLowerCase(Locale.ROOT) + " by binding "
                        + o.binding() + ": " + o.reason()));
            }
        }
        String file = null;
        if (!failures.isEmpty()) {
            List<String> rcpts = failures.stream().map(Badmail.Failure::recipient).toList();
            file = writeBadmail(entry, result.envelope(), rcpts, result.content(),
                    rcpts.size() + " recipient(s) taken out by OnSubmission sinks", failures).getFileName().toString();
        }
        for (RecipientOutcome o : fresh) {
            trace.add(event("recipient", "recipient", o.recipient(), "fate", o.kind().toLowerCase(Locale.ROOT),
                    "binding", o.binding(), "reason", o.reason(), "badmail", o.kind().equals("DROP") ? null : file));
        }
        return trace;
    }

    /**
     * A sink deferred the message (or failed with {@code onError: defer}): it waits with what the
     * sinks before it changed, and the chain runs again from that binding after the sink's retry
     * time or the usual back-off, until {@code delivery.giveUpAfterHours} after its arrival; then it
     * goes to badmail with the last reason.
     */
    /**
     * Who decided a message's fate, for reasons and logs: {@code OnSubmission binding 'name' {id}},
     * or the protocol event's binding as the protocol events name it ({@code OnMailFrom binding ...}).
     */
    private static String who(DispatchResult r) {
        String by = r.setBy();
        return by != null && by.startsWith("On") ? by : "OnSubmission binding " + by;
    }

    private void deferred(SpoolEntry entry, DispatchResult r) throws IOException {
        Fate fate = r.fate();
        SpoolEnvelope env = r.envelope();
        Duration left = retry.giveUpAfter().minus(Duration.between(env.arrivalTime(), clock.instant()));
        if (left.isNegative() || left.isZero()) {
            String reason = "deferred by " + who(r) + " for more than " + retry.giveUpAfter().toHours()
                    + " h; last reason: " + fate.reason();
            log.warn("MR2011 {}", reason);
            giveUp(entry, r, reason);
            return;
        }
        Progress progress = r.progress().traced(List.of(event("deferred", "binding", r.setBy(), "reason", fate.reason())));
        spool.progress(entry, env, r.override(), progress, false);
        // a sink's own retry time, kept between a second and what is left of the message's lifetime
        Duration after = fate.retryAfter().isZero() ? null
                : fate.retryAfter().compareTo(MIN_DEFER) < 0 ? MIN_DEFER
                : fate.retryAfter().compareTo(left) > 0 ? left : fate.retryAfter();
        retryLater(entry, env, "deferred by " + who(r) + ": " + fate.reason(), false, after);
        spool.discardContent(entry, r.madeFiles());
    }

    /** The message waited too long (deferred, or for a missing sink): badmail, with the recipients' own fates. */
    private void giveUp(SpoolEntry entry, DispatchResult r, String reason) throws IOException {
        Progress p = r.progress().traced(recipientOutcomes(entry, r));
        SpoolEnvelope env = r.envelope();
        Path file = writeBadmail(entry, env, env.recipients(), r.content(), reason, List.of());
        leave(entry, p, "badmail", event("badmail", "file", file.getFileName().toString(), "reason", reason));
    }

    /** The message leaves the spool: its trace, with {@code last}, goes to the tracking log. */
    private void leave(SpoolEntry entry, Progress progress, String outcome, TraceEntry... last) {
        tracking.write(entry.id(), progress.traced(List.of(last)).trace());
        spool.done(entry, outcome);
    }

    private TraceEntry event(String event, String... namesAndValues) {
        return TraceEntry.of(clock.instant(), event, namesAndValues);
    }

    private void deliver(SpoolEntry entry) throws IOException {
        SpoolEnvelope env = entry.envelope();
        dev.mailroot.server.outbound.OutboundQueue out = outbound;
        if (env.outbound() != null && out != null) {
            out.add(entry); // in the outbound queue already (resumed at start)
            return;
        }
        MessageContent content = spool.content(entry);
        String newline = HeaderSection.newlineOf(content);
        if (env.recipients().isEmpty()) {
            if (!entry.progress().outcomes().isEmpty()) {
                // every recipient was given a fate of its own by a sink: nothing is left to deliver
                leave(entry, entry.progress(), "recipient-fates", event("done", "reason", "every recipient has a fate of its own"));
                return;
            }
            toBadmail(entry, env, List.of(), content, "no recipients left after the OnSubmission sinks", List.of());
            return;
        }
        DeliveryReport report = delivery.deliver(entry.id(), env, content, newline);
        if (!report.remote().isEmpty() && out == null) {
            List<DeliveryReport.Failure> refused = new ArrayList<>(report.permanent());
            report.remote().forEach(r -> refused.add(new DeliveryReport.Failure(r, "not a local domain, and this server does "
                    + "not send mail out")));
            report = new DeliveryReport(report.delivered(), refused, report.temporary(), report.resolution());
        }
        metrics.localDelivery("delivered", report.delivered().size());
        metrics.localDelivery("badmail", report.permanent().size());
        metrics.localDelivery("retry", report.temporary().size());
        List<TraceEntry> trace = new ArrayList<>();
        for (String path : report.resolution()) {
            trace.add(event("resolved", "path", path));
        }
        if (!report.delivered().isEmpty()) {
            trace.add(event("delivered", "recipients", String.join(",", report.delivered())));
        }
        if (!report.permanent().isEmpty()) {
            List<String> rcpts = report.permanent().stream().map(DeliveryReport.Failure::recipient).toList();
            List<Badmail.Failure> failures = report.permanent().stream()
                    .map(f -> new Badmail.Failure(f.recipient(), f.reason())).toList();
            Path file = writeBadmail(entry, env, rcpts, content, rcpts.size() + " recipient(s) cannot be delivered", failures);
            trace.add(event("badmail", "file", file.getFileName().toString(), "recipients", String.join(",", rcpts),
                    "reason", report.permanent().get(0).reason()));
        }
        if (!report.remote().isEmpty()) {
            // the remote recipients (and local ones that failed for now) wait in the outbound queue
            Instant now = clock.instant();
            List<dev.mailroot.server.spool.OutboundState.Rcpt> queued = new ArrayList<>();
            for (String r : report.remote()) {
                queued.add(dev.mailroot.server.spool.OutboundState.Rcpt.fresh(r, now));
            }
            for (DeliveryReport.Failure f : report.temporary()) {
                queued.add(out.localRetry(f.recipient(), f.reason()));
            }
            entry.traceAll(trace);
            out.enter(entry, queued, report.temporary().isEmpty() ? "remote recipients"
                    : "remote recipients, and local ones that failed for now");
            return;
        }
        if (report.temporary().isEmpty()) {
            leave(entry, entry.progress(), report.delivered().isEmpty() ? "badmail" : "delivered", trace.toArray(TraceEntry[]::new));
            return;
        }
        List<String> pending = report.temporary().stream().map(DeliveryReport.Failure::recipient).toList();
        String lastReason = report.temporary().get(0).reason();
        if (Duration.between(env.arrivalTime(), clock.instant()).compareTo(retry.giveUpAfter()) >= 0) {
            List<Badmail.Failure> failures = report.temporary().stream()
                    .map(f -> new Badmail.Failure(f.recipient(), f.reason())).toList();
            Path file = writeBadmail(entry, env, pending, content, "delivery kept failing for " + retry.giveUpAfter().toHours() + " h",
                    failures);
            trace.add(event("badmail", "file", file.getFileName().toString(), "recipients", String.join(",", pending),
                    "reason", lastReason));
            leave(entry, entry.progress(), "badmail", trace.toArray(TraceEntry[]::new));
            return;
        }
        trace.add(event("retry", "recipients", String.join(",", pending), "reason", lastReason));
        entry.traceAll(trace);
        retryLater(entry, env.withRecipients(pending), lastReason);
    }

    /**
     * The chain cannot run because a sink with {@code onMissing: tempfail} is not loaded: the
     * message waits, retried with the usual back-off and at once when the plugins change, until
     * {@code delivery.giveUpAfterHours} after its arrival; then it goes to badmail.
     */
    private void waitForSink(SpoolEntry entry, DispatchResult r) throws IOException {
        SpoolEnvelope env = r.envelope();
        if (Duration.between(env.arrivalTime(), clock.instant()).compareTo(retry.giveUpAfter()) >= 0) {
            giveUp(entry, r, "waited " + retry.giveUpAfter().toHours() + " h for a sink that did not come back: "
                    + r.waitsForSink());
            return;
        }
        if (r.changed()) {
            // the sinks before the missing one ran: the message waits with their changes, as a deferred one does
            spool.progress(entry, env, r.override(), r.progress(), false);
        }
        retryLater(entry, env, r.waitsForSink(), true, null);
        spool.discardContent(entry, r.madeFiles());
    }

    private void toBadmail(SpoolEntry entry, SpoolEnvelope env, List<String> rcpts, MessageContent content,
                           String reason, List<Badmail.Failure> failures) throws IOException {
        Path file = writeBadmail(entry, env, rcpts, content, reason, failures);
        leave(entry, entry.progress(), "badmail", event("badmail", "file", file.getFileName().toString(), "reason", reason));
    }

    private Path writeBadmail(SpoolEntry entry, SpoolEnvelope env, List<String> rcpts, MessageContent content,
                              String reason, List<Badmail.Failure> failures) throws IOException {
        Path file = badmail.write(entry.id(), env, rcpts, content, HeaderSection.newlineOf(content), reason, failures);
        log.warn("MR3003 sent to badmail as {}: {}", file.getFileName(), reason);
        return file;
    }

    /**
     * Re-writes the message with the recipients still pending (so it does not pin an old spool
     * segment while it waits) and queues it again after the retry delay.
     */
    private void retryLater(SpoolEntry entry, SpoolEnvelope pending, String reason) {
        retryLater(entry, pending, reason, false, null);
    }

    /** As above; {@code forSink}: it waits for a missing sink, and is woken early when the plugins change. */
    private void retryLater(SpoolEntry entry, SpoolEnvelope pending, String reason, boolean forSink, Duration after) {
        if (stopping) {
            return;
        }
        int failures = entry.recordFailedAttempt();
        Duration delay = after != null ? after : retry.delayAfter(failures);
        try {
            spool.rewrite(entry, pending);
        } catch (IOException e) {
            log.warn("could not re-write the message in the spool: {}", e.toString());
        }
        if (reason.startsWith("deferred by binding ")) {
            log.info("MR2008 the chain runs again at {} ({})", Instant.now(clock).plus(delay), reason);
        } else {
            log.warn("MR3002 will be retried at {} (attempt {} failed: {})", Instant.now(clock).plus(delay), failures, reason);
        }
        try {
            if (forSink) {
                Waiting[] w = new Waiting[1];
                ScheduledFuture<?> f = timer.schedule(() -> {
                    waitingForSinks.remove(entry.id(), w[0]);
                    enqueue(entry);
                }, delay.toMillis(), TimeUnit.MILLISECONDS);
                w[0] = new Waiting(entry, f);
                waitingForSinks.put(entry.id(), w[0]);
            } else {
                timer.schedule(() -> enqueue(entry), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException e) {
            // stopping: the message stays in the spool for the next start
        }
    }
}
