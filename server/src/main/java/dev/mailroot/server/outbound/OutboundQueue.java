package dev.mailroot.server.outbound;

import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.OutboundState;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.Stage;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.server.tracking.MessageTracking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The outbound queue: the spooled messages that still have remote recipients, each recipient with
 * its own state ({@link OutboundState}, durable in the message's envelope), sent per destination
 * (the recipient's domain) in transactions of up to {@code maxRecipients}, at most
 * {@code perDestination} at once per destination and {@code threads} in all.
 *
 * <p>Per recipient: a {@code 2xx} after the data is delivered; a {@code 5xx} fails it at once; a
 * {@code 4xx} (or no connection) defers it with a back-off doubling from {@code retryFirst} up to
 * {@code retryMax}, until {@code lifetime} after the message's arrival, when it fails with
 * {@code 4.4.7}. Failed recipients get one failure report ({@link Reports#failed}) per attempt; a
 * recipient still queued {@code delayWarning} after arrival gets one delay report. Every change is
 * recorded in the spool before the next attempt is planned, so a kill -9 at any point leaves each
 * recipient either recorded as sent or to be sent again (at worst once more, as in every MTA).
 *
 * <p>The administrator's commands ({@code queue flush|hold|release|delete}) act here too.
 */
public final class OutboundQueue {
    private static final Logger log = LoggerFactory.getLogger(OutboundQueue.class);

    /** The destination name of recipients whose local delivery is waiting (a mailbox full, LMTP down). */
    public static final String LOCAL = "(local)";

    /** How a message is sent to one destination; never throws for SMTP outcomes. */
    public interface Transport {
        /**
         * Sends {@code content} from {@code mailFrom} to {@code rcpts}, all of {@code destination}.
         *
         * @return one final reply per recipient, and the host that gave them
         */
        Result send(SpoolEntry entry, String destination, String mailFrom, List<String> rcpts, MessageContent content);
    }

    /**
     * One attempt's outcome.
     *
     * @param host    the host that answered (for {@code Remote-MTA} and the queue listing), or null
     * @param tls     whether the session was encrypted
     * @param replies the final reply per recipient
     */
    public record Result(String host, boolean tls, Map<String, SmtpReply> replies, List<String> more) {
        public Result {
            more = more == null ? List.of() : List.copyOf(more);
        }

        public Result(String host, boolean tls, Map<String, SmtpReply> replies) {
            this(host, tls, replies, List.of());
        }
    }

    /** A recipient that failed for good, with the reply that decided it. */
    public record Failure(String recipient, SmtpReply reply, String host, Instant lastAttempt) {
    }

    /** Where delivery status reports go (DSNs to the sender); a report that cannot be sent is logged. */
    public interface Reports {
        Reports NONE = new Reports() {
            @Override
            public boolean failed(SpoolEntry entry, SpoolEnvelope envelope, MessageContent content, List<Failure> failures) {
                return false;
            }

            @Override
            public void delayed(SpoolEntry entry, SpoolEnvelope envelope, MessageContent content, List<OutboundState.Rcpt> waiting,
                                Instant retryUntil) {
            }
        };

        /**
         * Recipients failed for good.
         *
         * @return whether a report went to the sender; if not, the failed copy goes to badmail
         */
        boolean failed(SpoolEntry entry, SpoolEnvelope envelope, MessageContent content, List<Failure> failures);

        /** Recipients still waiting after the delay-warning time (called once per message). */
        void delayed(SpoolEntry entry, SpoolEnvelope envelope, MessageContent content, List<OutboundState.Rcpt> waiting,
                     Instant retryUntil);
    }

    /**
     * What runs before each attempt ({@code OnRemoteDelivery}): it may let the attempt go on, hold
     * the recipients or fail them with a reply.
     */
    public interface BeforeAttempt {
        BeforeAttempt NONE = (entry, destination, rcpts) -> Verdict.PROCEED;

        Verdict before(SpoolEntry entry, String destination, List<String> rcpts);

        /**
         * {@code reply}: the failure for {@link Kind#FAIL}; {@code reason} for the trace; {@code header}:
         * header fields to send on top of the message in this attempt only (CRLF lines), or null.
         */
        record Verdict(Kind kind, SmtpReply reply, String reason, byte[] header) {
            public static final Verdict PROCEED = new Verdict(Kind.PROCEED, null, null, null);

            public Verdict(Kind kind, SmtpReply reply, String reason) {
                this(kind, reply, reason, null);
            }

            public enum Kind { PROCEED, FAIL, HOLD }
        }
    }

    /**
     * @param threads        attempts at once, all destinations
     * @param perDestination attempts at once per destination
     * @param maxRecipients  recipients per transaction
     * @param retryFirst     the first back-off
     * @param retryMax       the longest back-off
     * @param lifetime       how long after arrival a recipient is retried
     * @param delayWarning   when a delay report goes out (zero: never)
     */
    public record Settings(int threads, int perDestination, int maxRecipients, Duration retryFirst, Duration retryMax,
                           Duration lifetime, Duration delayWarning) {
        /** The back-off after the {@code attempts}-th failed attempt: {@code first · 2^(n-1)}, at most {@code max}. */
        public Duration backoff(int attempts) {
            Duration d = retryFirst;
            for (int i = 1; i < attempts && d.compareTo(retryMax) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(retryMax) > 0 ? retryMax : d;
        }
    }

    private final Spool spool;
    private final Transport transport;
    private final Settings settings;
    private final Clock clock;
    private final MessageTracking tracking;
    private final Badmail badmail;
    private volatile Reports reports = Reports.NONE;
    private volatile BeforeAttempt beforeAttempt = BeforeAttempt.NONE;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    /** The messages in the queue, by id. */
    private final Map<String, SpoolEntry> messages = new ConcurrentHashMap<>();
    /** The timer of each message's next wake-up. */
    private final Map<String, ScheduledFuture<?>> wakeups = new ConcurrentHashMap<>();
    /** Attempts running or waiting, by destination; guarded by {@link #destinations}. */
    private final Map<String, Destination> destinations = new HashMap<>();
    /** The (message, destination) pairs with an attempt running or waiting; guarded by {@link #destinations}. */
    private final Set<String> busy = new HashSet<>();
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean stopping;
    private final dev.mailroot.server.metrics.ServerMetrics metrics;

    private static final class Destination {
        int active;
        final Deque<Runnable> waiting = new ArrayDeque<>();
    }

    public OutboundQueue(Spool spool, Transport transport, Settings settings, Clock clock, MessageTracking tracking,
                         Badmail badmail) {
        this(spool, transport, settings, clock, tracking, badmail, dev.mailroot.server.metrics.ServerMetrics.disabled());
    }

    /** As above, counting attempts and their recipients in {@code metrics} ({@code mailroot_outbound_*}). */
    public OutboundQueue(Spool spool, Transport transport, Settings settings, Clock clock, MessageTracking tracking,
                         Badmail badmail, dev.mailroot.server.metrics.ServerMetrics metrics) {
        this.metrics = metrics;
        this.spool = spool;
        this.transport = transport;
        this.settings = settings;
        this.clock = clock;
        this.tracking = tracking;
        this.badmail = badmail;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> daemon(r, "outbound-" + n.incrementAndGet()));
        this.workers.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "outbound-timer"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public void reports(Reports r) {
        this.reports = r;
    }

    public void beforeAttempt(BeforeAttempt b) {
        this.beforeAttempt = b;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Puts {@code rcpts} of a spooled message into the queue (its envelope's recipients become
     * them) and records that durably; they are due at once.
     */
    public void enter(SpoolEntry entry, List<OutboundState.Rcpt> rcpts, String reason) throws IOException {
        SpoolEnvelope env = entry.envelope().withOutbound(new OutboundState(rcpts, false));
        entry.trace(event("queued", "recipients", String.join(",", env.recipients()), "reason", reason));
        spool.update(entry, env, Stage.DISPATCHED, entry.override());
        log.info("MR7001 {} recipient(s) queued for remote delivery: {}", rcpts.size(), env.recipients());
        add(entry);
    }

    /** A local recipient whose delivery failed for now ({@code reason}), retried by this queue. */
    public OutboundState.Rcpt localRetry(String address, String reason) {
        return new OutboundState.Rcpt(address, LOCAL, OutboundState.Status.QUEUED, 1,
                clock.instant().plus(settings.backoff(1)), reason, null);
    }

    /** Takes a message found in the spool at start whose envelope has an outbound state. */
    public void add(SpoolEntry entry) {
        messages.put(entry.id(), entry);
        plan(entry);
    }

    /** The messages in the queue now. */
    public Collection<SpoolEntry> entries() {
        return List.copyOf(messages.values());
    }

    public Optional<SpoolEntry> entry(String id) {
        return Optional.ofNullable(messages.get(id));
    }

    /** Recipients delivered and failed since start. */
    public int deliveredCount() {
        return delivered.get();
    }

    public int failedCount() {
        return failed.get();
    }

    /** Schedules the message's next wake-up at its earliest due queued recipient. */
    private void plan(SpoolEntry entry) {
        if (stopping) {
            return;
        }
        OutboundState st = entry.envelope().outbound();
        if (st == null) {
            return;
        }
        Instant next = null;
        for (OutboundState.Rcpt r : st.recipients()) {
            if (r.status() == OutboundState.Status.QUEUED && (next == null || r.nextAttempt().isBefore(next))) {
                next = r.nextAttempt();
            }
        }
        ScheduledFuture<?> old = wakeups.remove(entry.id());
        if (old != null) {
            old.cancel(false);
        }
        if (next == null) {
            return; // everything held
        }
        // rounded up: the timer must not fire before the wall clock says the recipient is due
        long delay = Math.max(0, Duration.between(clock.instant(), next).plusNanos(999_999).toMillis());
        try {
            wakeups.put(entry.id(), timer.schedule(() -> wake(entry), delay, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // stopping: it stays in the spool
        }
    }

    /** Starts an attempt for each destination of the message with due recipients. */
    private void wake(SpoolEntry entry) {
        wakeups.remove(entry.id());
        OutboundState st = entry.envelope().outbound();
        if (st == null || !messages.containsKey(entry.id())) {
            return;
        }
        Instant now = clock.instant();
        Map<String, List<String>> due = new LinkedHashMap<>();
        for (OutboundState.Rcpt r : st.recipients()) {
            if (r.status() == OutboundState.Status.QUEUED && !r.nextAttempt().isAfter(now)) {
                due.computeIfAbsent(r.destination(), d -> new ArrayList<>()).add(r.address());
            }
        }
        if (due.isEmpty()) {
            plan(entry); // woken early (a clock step): wait again
            return;
        }
        for (var d : due.entrySet()) {
            List<String> rcpts = d.getValue();
            for (int i = 0; i < rcpts.size(); i += settings.maxRecipients()) {
                List<String> batch = List.copyOf(rcpts.subList(i, Math.min(rcpts.size(), i + settings.maxRecipients())));
                start(entry, d.getKey(), batch);
            }
        }
    }

    private void start(SpoolEntry entry, String destination, List<String> rcpts) {
        String key = entry.id() + "|" + destination + "|" + rcpts.get(0);
        Runnable job = () -> {
            try {
                attempt(entry, destination, rcpts);
            } finally {
                finished(destination, key);
            }
        };
        synchronized (destinations) {
            if (!busy.add(key)) {
                return;
            }
            Destination d = destinations.computeIfAbsent(destination, k -> new Destination());
            if (d.active >= settings.perDestination()) {
                d.waiting.add(job);
                return;
            }
            d.active++;
        }
        submit(job, destination, key);
    }

    private void submit(Runnable job, String destination, String key) {
        try {
            workers.execute(job);
        } catch (RejectedExecutionException e) {
            synchronized (destinations) {
                busy.remove(key);
                Destination d = destinations.get(destination);
                if (d != null) {
                    d.active--;
                }
            }
        }
    }

    private void finished(String destination, String key) {
        Runnable next = null;
        synchronized (destinations) {
            busy.remove(key);
            Destination d = destinations.get(destination);
            if (d == null) {
                return;
            }
            d.active--;
            if (!stopping && !d.waiting.isEmpty()) {
                next = d.waiting.poll();
                d.active++;
            } else if (d.active == 0 && d.waiting.isEmpty()) {
                destinations.remove(destination);
            }
        }
        if (next != null) {
            try {
                workers.execute(next);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /** One attempt: the sinks' say, the transaction, then the recipients' new states, recorded. */
    private void attempt(SpoolEntry entry, String destination, List<String> rcpts) {
        if (stopping) {
            return;
        }
        MDC.put("msgId", entry.id());
        try {
            SpoolEnvelope env = entry.envelope();
            MessageContent content = spool.content(entry);
            BeforeAttempt.Verdict verdict = beforeAttempt.before(entry, destination, rcpts);
            Result result;
            if (verdict.kind() == BeforeAttempt.Verdict.Kind.HOLD) {
                apply(entry, destination, rcpts, null, verdict.reason());
                return;
            } else if (verdict.kind() == BeforeAttempt.Verdict.Kind.FAIL) {
                Map<String, SmtpReply> replies = new LinkedHashMap<>();
                rcpts.forEach(r -> replies.put(r, verdict.reply()));
                result = new Result(null, false, replies);
            } else {
                if (verdict.header() != null) {
                    // the sinks' fields go with this attempt only: a retry runs them again, nothing piles up
                    content = MessageContent.concat(MessageContent.of(verdict.header()), content);
                }
                long started = System.nanoTime();
                result = transport.send(entry, destination, env.mailFrom(), rcpts, content);
                metrics.outboundAttempt(System.nanoTime() - started);
            }
            apply(entry, destination, rcpts, result, verdict.reason());
        } catch (IOException | RuntimeException e) {
            log.error("MR7005 attempt for {} failed in the server: {}; the recipients are retried", destination, e.toString(), e);
            Map<String, SmtpReply> replies = new LinkedHashMap<>();
            rcpts.forEach(r -> replies.put(r, SmtpReply.of(451, "4.3.0", "local error: " + e)));
            try {
                apply(entry, destination, rcpts, new Result(null, false, replies), null);
            } catch (IOException | RuntimeException again) {
                log.error("MR7005 cannot record the attempt: {}; the message is retried at the next start", again.toString());
            }
        } finally {
            MDC.remove("msgId");
        }
    }

    /** Applies an attempt's result (null: hold the recipients) to the message's state and records it. */
    private void apply(SpoolEntry entry, String destination, List<String> rcpts, Result result, String why) throws IOException {
        Instant now = clock.instant();
        List<Failure> failures = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        List<OutboundState.Rcpt> warn = List.of();
        SpoolEnvelope env;
        boolean gone;
        synchronized (entry) {
            SpoolEnvelope current = entry.envelope();
            OutboundState st = current.outbound();
            if (st == null || !messages.containsKey(entry.id())) {
                return; // deleted meanwhile
            }
            Instant expires = current.arrivalTime().plus(settings.lifetime());
            Set<String> mine = new HashSet<>(rcpts);
            OutboundState next = st.map(r -> {
                if (!mine.contains(r.address()) || !r.destination().equals(destination)) {
                    return r;
                }
                if (result == null) {
                    return r.withStatus(OutboundState.Status.HELD);
                }
                SmtpReply reply = result.replies().getOrDefault(r.address(), SmtpReply.of(451, "4.4.0", "no reply for this recipient"));
                if (reply.positive()) {
                    sent.add(r.address());
                    return null;
                }
                if (!reply.transientFailure()) {
                    failures.add(new Failure(r.address(), reply, result.host(), now));
                    return null;
                }
                Instant at = now.plus(settings.backoff(r.attempts() + 1));
                if (!at.isBefore(expires)) {
                    failures.add(new Failure(r.address(), SmtpReply.of(451, "4.4.7",
                            "delivery time expired after " + settings.lifetime().toHours() + " h; last reply: " + reply),
                            result.host(), now));
                    return null;
                }
                deferred.add(r.address());
                return r.deferred(at, reply.toString(), result.host());
            });
            if (result != null && !result.more().isEmpty()) {
                List<OutboundState.Rcpt> all = new ArrayList<>(next.recipients());
                for (String m : result.more()) {
                    if (all.stream().noneMatch(r -> r.address().equalsIgnoreCase(m))) {
                        all.add(OutboundState.Rcpt.fresh(m, now));
                    }
                }
                next = new OutboundState(all, next.delayWarned());
            }
            Duration age = Duration.between(current.arrivalTime(), now);
            if (!next.delayWarned() && !settings.delayWarning().isZero() && age.compareTo(settings.delayWarning()) >= 0
                    && !deferred.isEmpty()) {
                warn = next.recipients().stream().filter(r -> r.attempts() > 0).toList();
                next = next.withDelayWarned();
            }
            env = current.withOutbound(next);
            List<TraceEntry> trace = new ArrayList<>();
            String host = result == null ? null : result.host();
            String tls = result == null ? null : result.tls() ? "yes" : "no";
            if (!sent.isEmpty()) {
                trace.add(event("sent", "destination", destination, "host", host, "tls", tls, "recipients", String.join(",", sent),
                        "reply", result.replies().get(sent.get(0)).toString()));
            }
            for (Failure f : failures) {
                trace.add(event("failed", "destination", destination, "host", f.host(), "recipient", f.recipient(),
                        "reply", f.reply().toString()));
            }
            if (!deferred.isEmpty()) {
                OutboundState.Rcpt first = next.recipients().stream().filter(r -> r.address().equals(deferred.get(0))).findFirst()
                        .orElseThrow();
                trace.add(event("deferred", "destination", destination, "host", host, "recipients", String.join(",", deferred),
                        "reply", first.lastReply(), "next", first.nextAttempt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()));
            }
            if (result == null) {
                trace.add(event("held", "destination", destination, "recipients", String.join(",", rcpts), "reason", why));
            }
            entry.traceAll(trace);
            gone = next.recipients().isEmpty();
            if (!gone) {
                spool.update(entry, env, Stage.DISPATCHED, entry.override());
            }
        }
        for (String s : sent) {
            log.info("MR7002 sent to <{}> via {} ({}){}", s, result.host(), result.replies().get(s),
                    result.tls() ? " over TLS" : "");
        }
        delivered.addAndGet(sent.size());
        String domain = LOCAL.equals(destination) ? "local" : destination;
        if (!sent.isEmpty()) {
            metrics.outboundDelivery(domain, "sent", sent.size());
        }
        if (!deferred.isEmpty()) {
            metrics.outboundDelivery(domain, "deferred", deferred.size());
        }
        if (!failures.isEmpty()) {
            metrics.outboundDelivery(domain, "failed", failures.size());
        }
        for (String d : deferred) {
            log.warn("MR7003 <{}> deferred: {}", d, result.replies().get(d));
        }
        if (result == null) {
            log.info("MR7006 {} held before the attempt: {}", rcpts, why);
        }
        MessageContent content = failures.isEmpty() && warn.isEmpty() ? null : spool.content(entry);
        if (!failures.isEmpty()) {
            failed.addAndGet(failures.size());
            for (Failure f : failures) {
                log.warn("MR7004 <{}> failed: {}", f.recipient(), f.reply());
            }
            boolean reported = false;
            try {
                reported = reports.failed(entry, env, content, failures);
            } catch (RuntimeException e) {
                log.error("MR7007 the failure report could not be made: {}", e.toString(), e);
            }
            if (!reported) {
                List<String> who = failures.stream().map(Failure::recipient).toList();
                Path file = badmail.write(entry.id(), env, who, content, HeaderSection.newlineOf(content),
                        who.size() + " remote recipient(s) failed and no report could go to the sender",
                        failures.stream().map(f -> new Badmail.Failure(f.recipient(), f.reply().toString())).toList());
                entry.trace(event("badmail", "file", file.getFileName().toString(), "recipients", String.join(",", who),
                        "reason", "no delivery report possible (null sender, a report itself, or not relayed for a user)"));
            } else {
                entry.trace(event("reported", "kind", "failure", "to", env.mailFrom(), "recipients",
                        String.join(",", failures.stream().map(Failure::recipient).toList())));
            }
        }
        if (!warn.isEmpty()) {
            try {
                reports.delayed(entry, env, content, warn, env.arrivalTime().plus(settings.lifetime()));
                entry.trace(event("reported", "kind", "delay", "to", env.mailFrom()));
            } catch (RuntimeException e) {
                log.error("MR7007 the delay report could not be made: {}", e.toString(), e);
            }
        }
        if (gone) {
            leave(entry, failures.isEmpty() ? "sent" : sent.isEmpty() ? "failed" : "partly-failed");
        } else {
            plan(entry);
        }
    }

    private void leave(SpoolEntry entry, String outcome) {
        messages.remove(entry.id());
        ScheduledFuture<?> w = wakeups.remove(entry.id());
        if (w != null) {
            w.cancel(false);
        }
        tracking.write(entry.id(), entry.progress().trace());
        spool.done(entry, outcome);
    }

    // ---- the administrator's commands ----------------------------------------------------------

    /** Makes every queued recipient of the message (or of {@code destination} in all messages, if id is null) due now. */
    public int flush(String id, String destination) throws IOException {
        int n = 0;
        for (SpoolEntry e : select(id)) {
            n += change(e, r -> (destination == null || r.destination().equals(destination.toLowerCase(Locale.ROOT)))
                    && r.status() == OutboundState.Status.QUEUED ? r.dueAt(clock.instant()) : r, "flushed");
        }
        return n;
    }

    /** Holds the message's recipients: never sent until released. */
    public int hold(String id) throws IOException {
        int n = 0;
        for (SpoolEntry e : select(id)) {
            n += change(e, r -> r.withStatus(OutboundState.Status.HELD), "held");
        }
        return n;
    }

    /** Releases held recipients: due now. */
    public int release(String id) throws IOException {
        int n = 0;
        for (SpoolEntry e : select(id)) {
            n += change(e, r -> r.status() == OutboundState.Status.HELD
                    ? r.withStatus(OutboundState.Status.QUEUED).dueAt(clock.instant()) : r, "released");
        }
        return n;
    }

    /** Takes the message out of the queue into badmail with {@code reason}; returns the badmail file. */
    public Optional<Path> delete(String id, String reason) throws IOException {
        SpoolEntry e = messages.get(id);
        if (e == null) {
            return Optional.empty();
        }
        Path file;
        synchronized (e) {
            if (messages.remove(id) == null) {
                return Optional.empty();
            }
            ScheduledFuture<?> w = wakeups.remove(id);
            if (w != null) {
                w.cancel(false);
            }
            MessageContent content = spool.content(e);
            file = badmail.write(id, e.envelope(), e.envelope().recipients(), content, HeaderSection.newlineOf(content), reason,
                    List.of());
            e.trace(event("badmail", "file", file.getFileName().toString(), "recipients",
                    String.join(",", e.envelope().recipients()), "reason", reason));
        }
        log.warn("MR7008 message taken out of the outbound queue into badmail as {}: {}", file.getFileName(), reason);
        tracking.write(id, e.progress().trace());
        spool.done(e, "deleted");
        return Optional.of(file);
    }

    private List<SpoolEntry> select(String id) {
        if (id == null) {
            return List.copyOf(messages.values());
        }
        SpoolEntry e = messages.get(id);
        return e == null ? List.of() : List.of(e);
    }

    private int change(SpoolEntry e, java.util.function.UnaryOperator<OutboundState.Rcpt> f, String what) throws IOException {
        int changed;
        synchronized (e) {
            OutboundState st = e.envelope().outbound();
            if (st == null || !messages.containsKey(e.id())) {
                return 0;
            }
            OutboundState next = st.map(f);
            changed = 0;
            for (int i = 0; i < st.recipients().size(); i++) {
                if (!st.recipients().get(i).equals(next.recipients().get(i))) {
                    changed++;
                }
            }
            if (changed == 0) {
                return 0;
            }
            e.trace(event(what, "by", "administrator"));
            spool.update(e, e.envelope().withOutbound(next), Stage.DISPATCHED, e.override());
        }
        log.info("MR7009 message {}: {} recipient(s) {} by the administrator", e.id(), changed, what);
        plan(e);
        return changed;
    }

    /** Stops sending: attempts running finish within {@code grace}; everything stays in the spool. */
    public void stop(Duration grace) {
        stopping = true;
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    private TraceEntry event(String event, String... namesAndValues) {
        return TraceEntry.of(clock.instant(), event, namesAndValues);
    }
}
