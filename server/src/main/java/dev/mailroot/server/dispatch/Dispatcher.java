package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.TraceEntry;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.mailroot.server.metrics.ServerMetrics;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OnSubmission stage: runs the selected bindings' sinks over one message in run order.
 *
 * <p>Each call runs on the sink pool, under the plugin's class loader, with the message id and
 * binding name in the log context, and within the binding's time limit. Before it starts, the call
 * is recorded in the spool ({@link CallLog}: durably for the first call of a chain and for every call
 * on a message on probation), so that a process that dies in it knows at its next start which
 * message, and which binding, were in flight (poison-message protection). A call that throws
 * anything ({@link Exception} or {@link Error}: a stack overflow, an {@code OutOfMemoryError}, a
 * class the plugin lacks) or overruns is a failure of its binding: logged with the binding and the
 * message id, its changes to the message undone, counted towards disabling the binding, and the
 * binding's {@code onError} decides: {@code continue} (the chain goes on), {@code badmail}, or
 * {@code defer} (the message waits and the chain runs again from this binding). The
 * sink pool is bounded: a sink that hangs holds one of its threads, never a delivery worker, and
 * never SMTP intake.
 *
 * <p>A binding whose sink is not loaded (no plugin provides it, or its plugin was removed after the
 * chain was chosen) is skipped ({@code MR2005}), never called and not counted as a failure; with
 * {@code onMissing: tempfail} the message waits instead, unchanged ({@link DispatchResult#isDeferred()}).
 *
 * <p>The chain ends after the last binding, on {@link SinkStatus#SKIP_REMAINING_SINKS}, or when a
 * sink sets a fate other than deliver. Thread-safe: messages are dispatched concurrently.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final SinkChain chain;
    private final BindingHealth health;
    private final CallLog calls;
    private final ServerMetrics metrics;
    private final ThreadPoolExecutor pool;
    private final Clock clock;
    /** A call running on a sink thread: the binding, and the message it is for. */
    private record Running(BoundSink bound, String messageId) {
    }

    /**
     * What runs before the OnSubmission chain of a message that arrived without an SMTP session:
     * the protocol events, with a session built from its envelope. It judges the message through
     * {@code submission} (fates, recipients' fates, headers, notes) and returns its trace entries;
     * it is not run again for the message once the chain has begun (a deferred chain resumes after it).
     */
    public interface BeforeChain {
        /** Whether there is anything to run for {@code submission}. */
        boolean applies(SpooledSubmission submission);

        Judgement run(SpooledSubmission submission);

        /**
         * What the events decided.
         *
         * @param trace      their trace entries
         * @param decidedBy  who set a fate other than deliver ({@code OnMailFrom binding 'name' {id}}), or null
         */
        record Judgement(java.util.List<TraceEntry> trace, String decidedBy) {
        }
    }

    /** The {@code done} entry that says the protocol events ran for a message. */
    public static final String PROTOCOL_DONE = "protocol-events";

    private volatile BeforeChain beforeChain;

    /** Sets what runs before the chain of mail without an SMTP session (the protocol events). */
    public void beforeChain(BeforeChain b) {
        this.beforeChain = b;
    }

    /** The call each sink thread is running now: who to blame when plugin code ends the process. */
    private final Map<Thread, Running> running = new ConcurrentHashMap<>();

    /**
     * @param chain    selects the bindings for a message
     * @param health   counts failures and disables failing bindings
     * @param calls    records each call before it starts
     * @param workers  threads for calls running normally (one per delivery worker)
     * @param overruns extra threads that calls stuck past their time limit may hold
     */
    public Dispatcher(SinkChain chain, BindingHealth health, CallLog calls, int workers, int overruns) {
        this(chain, health, calls, workers, overruns, Clock.systemUTC(), ServerMetrics.disabled());
    }

    /** As above, with the clock the trace's times come from, and where each call is counted ({@code mailroot_sink_*}). */
    public Dispatcher(SinkChain chain, BindingHealth health, CallLog calls, int workers, int overruns, Clock clock,
                      ServerMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        this.chain = chain;
        this.health = health;
        this.calls = calls;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers + overruns, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "sink-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Runs the chain over {@code submission}, after the bindings its last run completed (a chain that
     * was deferred, or cut short by a crash, resumes where it stopped), and hands back everything the
     * sinks decided and changed.
     *
     * @throws IOException if a call could not be recorded in the spool (the message waits and is tried again)
     */
    public DispatchResult dispatch(SpooledSubmission submission) throws IOException {
        SpoolEntry entry = submission.entry();
        List<String> done = new ArrayList<>(submission.baseProgress().done());
        List<BoundSink> sinks = new ArrayList<>(chain.select(submission));
        sinks.removeIf(b -> done.contains(b.binding().id()));
        List<TraceEntry> trace = new ArrayList<>();
        BeforeChain before = beforeChain;
        if (before != null && !done.contains(PROTOCOL_DONE) && before.applies(submission)) {
            BeforeChain.Judgement judged = before.run(submission);
            trace.addAll(judged.trace());
            Fate fate = submission.fate();
            if (fate.kind() == Fate.Kind.DEFER || fate.stopsDelivery()) {
                return result(submission, judged.decidedBy(), 0, null, done, trace, false);
            }
            done.add(PROTOCOL_DONE);
            if (submission.envelope().recipients().isEmpty()) {
                return result(submission, judged.decidedBy(), 0, null, List.of(), trace, false);
            }
        }
        for (BoundSink bound : sinks) {
            if (bound.isMissing() && bound.onMissing() == BindingStatus.OnMissing.TEMPFAIL) {
                return result(submission, null, 0, missing(bound, "is not provided by any loaded plugin"), done, trace, false);
            }
        }
        SpooledSubmission.Checkpoint start = null;
        int ran = 0;
        boolean unrecorded = false; // the calls since the last record changed something (or sent mail)
        boolean recorded = false;   // a PROGRESS record holds part of this run of the chain
        for (BoundSink selected : sinks) {
            if (selected.isMissing()) {
                continue; // onMissing: skip (BindingChain reports it)
            }
            BoundSink bound = entered(selected);
            if (bound == null) {
                // its plugin went after the chain was chosen, and no other provides the class now
                String why = "is no longer provided: plugin '" + selected.loaded().pluginId() + "' is unloaded or unloading";
                if (selected.onMissing() == BindingStatus.OnMissing.TEMPFAIL) {
                    // as a deferral: the message waits with what the calls before it did, and resumes here
                    return result(submission, null, ran, missing(selected, why), done, trace, recorded);
                }
                log.warn("MR2005 binding {} is skipped: sink class {} {}", selected.describe(), selected.binding().sinkClass(), why);
                continue;
            }
            if (start == null) {
                start = submission.checkpoint();
            }
            try {
                if (unrecorded) {
                    // what the calls so far changed is kept with the message before the next call
                    // starts: a crash in it resumes after them, notes and all
                    calls.progress(entry, submission.resultEnvelope(), submission.resultOverride(),
                            submission.resultProgress(done, trace), entry.crashes() > 0);
                    unrecorded = false;
                    recorded = true;
                }
                // the first call of a chain is recorded durably before it starts: a process that
                // dies anywhere in the chain then counts against the message. Later calls share a
                // commit without waiting (a few milliseconds behind), unless the message is on
                // probation, where every call is durable so the binding blamed is exact.
                calls.calling(entry, bound.binding(), ran == 0 || entry.crashes() > 0);
            } catch (IOException | RuntimeException e) {
                bound.loaded().calls().exit();
                submission.restore(start);
                throw e instanceof IOException io ? io : new IOException(e);
            }
            ran++;
            Call call = call(bound, submission);
            trace.add(call.trace());
            Fate fate = submission.fate();
            if (fate.kind() == Fate.Kind.DEFER) {
                // this binding runs again when the message's wait is over; the bindings before it do not
                log.info("MR2008 binding {} deferred the message: {}", bound.describe(), fate.reason());
                return result(submission, bound.describe(), ran, null, done, trace, recorded);
            }
            done.add(bound.binding().id());
            unrecorded |= worthRecording(call);
            if (fate.stopsDelivery()) {
                return result(submission, bound.describe(), ran, null, done, trace, recorded);
            }
            if (call.status() == SinkStatus.SKIP_REMAINING_SINKS) {
                log.debug("binding {} skipped the remaining sinks", bound.describe());
                break;
            }
            if (submission.envelope().recipients().isEmpty() && !submission.recipientFates().isEmpty()) {
                break; // every recipient has a fate of its own: nothing is left for later sinks
            }
        }
        return result(submission, null, ran, null, List.of(), trace, recorded);
    }

    private DispatchResult result(SpooledSubmission s, String setBy, int ran, String waitsForSink, List<String> done,
                                  List<TraceEntry> trace, boolean recorded) {
        // once a PROGRESS record holds part of the chain, the end of the chain is recorded in full (UPDATE)
        return new DispatchResult(s.fate(), setBy, ran, waitsForSink, s.changed() || recorded || !done.equals(s.baseProgress().done()),
                s.resultEnvelope(), s.resultOverride(), s.resultProgress(done, trace), List.copyOf(trace), s.current(), s.madeFiles());
    }

    /**
     * {@code bound} with its plugin's calls entered, or, if that plugin went since the chain was
     * chosen (a newer version replaced it), the version that provides the class now, entered; null
     * if none can be called.
     */
    private BoundSink entered(BoundSink bound) {
        if (bound.loaded().calls().enter()) {
            return bound;
        }
        return chain.current(bound).filter(b -> b.loaded().calls().enter()).orElse(null);
    }

    private static String missing(BoundSink bound, String why) {
        return "binding " + bound.describe() + ": sink class " + bound.binding().sinkClass() + " " + why
                + " (onMissing: tempfail)";
    }

    /** The binding whose sink {@code thread} is running now, if it is a sink thread in a call. */
    public Optional<BoundSink> callOn(Thread thread) {
        return Optional.ofNullable(running.get(thread)).map(Running::bound);
    }

    /** The id of the message whose sink call {@code thread} is running now, if it is a sink thread in a call. */
    public Optional<String> messageOn(Thread thread) {
        return Optional.ofNullable(running.get(thread)).map(Running::messageId);
    }

    /** Gives up on a call; if it never began it never will, so its plugin's call count is released here. */
    private static void abandon(Future<SinkStatus> future, AtomicBoolean begun, BoundSink bound) {
        future.cancel(true);
        if (begun.compareAndSet(false, true)) {
            bound.loaded().calls().exit();
        }
    }

    /**
     * Whether what {@code call} did must be recorded before the next call starts: notes, a replaced
     * content, recipients' fates and sent mail are kept (a crash then resumes after the call, which
     * does not run again); header and envelope changes alone are cheap to redo, so a crash before the
     * chain's end runs such a call again (at-least-once), and the chain costs no extra record.
     */
    private static boolean worthRecording(Call call) {
        for (String c : call.changes()) {
            if (!c.equals("headers") && !c.equals("envelope")) {
                return true;
            }
        }
        return call.trace().fields().containsKey("sent");
    }

    /** One call's status and its trace entry. */
    private record Call(SinkStatus status, List<String> changes, TraceEntry trace) {
    }

    /** Calls {@code bound}, whose plugin's calls the caller has entered; exits them when the call ends. */
    private Call call(BoundSink bound, SpooledSubmission submission) {
        SpooledSubmission.Checkpoint checkpoint = submission.checkpoint();
        CallView view = new CallView(submission, bound.describe());
        submission.calledBy(bound.describe());
        long started = System.nanoTime();
        Instant at = clock.instant();
        String failure = null;
        boolean timedOut = false;
        SinkStatus status;
        try {
            status = run(bound, submission, view, checkpoint);
        } catch (CallFailed f) {
            failure = f.getMessage();
            timedOut = f.timeout;
            status = SinkStatus.RUN_NEXT_SINK;
        }
        Fate fate = submission.fate();
        List<String> changes = failure == null ? view.changes() : List.of();
        if (failure == null && fate.kind() == Fate.Kind.DEFER) {
            // a deferring call's own changes are undone: it runs again, on the message as it found it
            submission.restore(checkpoint);
            submission.setFate(fate);
            changes = List.of();
        }
        String outcome = failure != null ? "failed: " + failure
                : fate.stopsDelivery() ? fate.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + fate.reason()
                : status == SinkStatus.SKIP_REMAINING_SINKS ? "skip-remaining-sinks" : "run-next-sink";
        long nanos = System.nanoTime() - started;
        long micros = nanos / 1000;
        metrics.sinkCall(bound.bindingName(), dev.mailroot.bindings.Events.ON_SUBMISSION, failure != null ? (timedOut ? "timeout" : "failed")
                : fate.kind() == Fate.Kind.DEFER ? "deferred"
                : fate.stopsDelivery() ? fate.kind().name().toLowerCase(java.util.Locale.ROOT) : "ok", nanos);
        List<String> sent = view.sent();
        TraceEntry entry = TraceEntry.of(at, "sink", "binding", bound.bindingName(), "bindingId", bound.binding().id(),
                "sink", bound.binding().sinkClass(), "outcome", outcome, "ms", millis(micros),
                "changed", changes.isEmpty() ? null : String.join(",", changes),
                "sent", sent.isEmpty() ? null : String.join(",", sent));
        return new Call(status, changes, entry);
    }

    /** {@code micros} as milliseconds with three decimals ({@code 1.234}), without the cost of a format. */
    static String millis(long micros) {
        long frac = micros % 1000;
        return micros / 1000 + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
    }

    /** A call failed (threw, overran, found no thread); its changes are undone and onError applied. */
    private static final class CallFailed extends Exception {
        /** Whether the call overran its time limit (rather than threw). */
        final boolean timeout;

        CallFailed(String what, boolean timeout) {
            super(what, null, false, false);
            this.timeout = timeout;
        }
    }

    private SinkStatus run(BoundSink bound, SpooledSubmission submission, CallView view,
                           SpooledSubmission.Checkpoint checkpoint) throws CallFailed {
        String msgId = MDC.get("msgId");
        Future<SinkStatus> future;
        // whoever sets this first owns the exit: the call when it begins, or the caller giving up on
        // a call that never began (a cancelled task never runs, so it could not exit itself)
        AtomicBoolean begun = new AtomicBoolean();
        try {
            future = pool.submit(() -> {
                if (!begun.compareAndSet(false, true)) {
                    return null;
                }
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                MDC.put("msgId", msgId);
                MDC.put("binding", bound.bindingName());
                thread.setContextClassLoader(bound.classLoader());
                running.put(thread, new Running(bound, submission.id()));
                try {
                    return bound.sink().onSubmission(view, bound);
                } finally {
                    running.remove(thread);
                    thread.setContextClassLoader(previous);
                    MDC.remove("binding");
                    MDC.remove("msgId");
                    bound.loaded().calls().exit();
                }
            });
        } catch (RejectedExecutionException e) {
            bound.loaded().calls().exit();
            throw failed(bound, submission, view, checkpoint, "MR2001", "no sink thread free (too many calls stuck past their time limit)", null);
        }
        try {
            SinkStatus status = future.get(bound.timeout().toMillis(), TimeUnit.MILLISECONDS);
            view.revoke(); // replacement streams left open are discarded
            health.succeeded(bound.binding());
            return status == null ? SinkStatus.RUN_NEXT_SINK : status;
        } catch (TimeoutException e) {
            abandon(future, begun, bound);
            throw failed(bound, submission, view, checkpoint, "MR2003",
                    "did not finish within its time limit of " + bound.timeout().toMillis() + " ms", null);
        } catch (ExecutionException e) {
            // anything the sink threw, Errors included: a failure of this binding, not of the server
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw failed(bound, submission, view, checkpoint, "MR2001", "threw " + ControlCharacters.escape(String.valueOf(cause)), cause);
        } catch (InterruptedException e) {
            abandon(future, begun, bound);
            view.revoke();
            submission.restore(checkpoint);
            Thread.currentThread().interrupt();
            return SinkStatus.SKIP_REMAINING_SINKS;
        }
    }

    private CallFailed failed(BoundSink bound, SpooledSubmission submission, CallView view,
                              SpooledSubmission.Checkpoint checkpoint, String event, String what, Throwable cause) {
        view.revoke();
        submission.restore(checkpoint);
        String text = "binding " + bound.describe() + " (" + bound.binding().sinkClass() + ") " + what;
        if (cause instanceof StackOverflowError) {
            // thousands of identical frames say nothing more than the first few
            log.warn("{} {}; its changes to the message are undone; top of its stack: {}", event, text, top(cause, 8));
        } else if (cause != null) {
            log.warn("{} {}; its changes to the message are undone", event, text, cause);
        } else {
            log.warn("{} {}; its changes to the message are undone", event, text);
        }
        health.failed(bound.binding(), what);
        switch (bound.onError()) {
            case BADMAIL -> submission.setFate(Fate.badmail(text + " (onError=badmail)"));
            case DEFER -> submission.setFate(Fate.defer(text + " (onError=defer)", java.time.Duration.ZERO));
            default -> { }
        }
        return new CallFailed(what, event.equals("MR2003"));
    }

    private static String top(Throwable t, int frames) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < Math.min(frames, stack.length); i++) {
            sb.append(i == 0 ? "" : " < ").append(stack[i]);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
