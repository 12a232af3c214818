package dev.mailroot.server.protocol;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.server.dispatch.BindingChain;
import dev.mailroot.server.dispatch.BindingHealth;
import dev.mailroot.server.dispatch.BoundSink;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.protocol.SmtpReply;
import dev.mailroot.sink.protocol.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the bindings of one protocol event (OnConnect, OnHelo, OnAuth, OnMailFrom, OnRcptTo, OnEndOfData)
 * in run order until one of them decides, for SMTP sessions and for mail without one alike.
 *
 * <p>Each call runs on a pool of its own (never the SMTP session's thread, never a delivery
 * worker's), under the plugin's class loader and within the binding's time limit (default 5 s). A
 * call that throws anything, overruns, or returns a verdict not allowed at its event is a failure
 * of its binding: logged ({@code MR6002}), counted towards disabling it (not for {@code onError:
 * tempfail} bindings), and its {@code onError} decides: {@code continue} (as if it had said
 * proceed, fail-open) or {@code tempfail} (the command is refused with {@code 451 4.7.1}).
 *
 * <p>When no binding is enabled for an event, {@link #bound} is false and callers skip all of this:
 * the cost on the hot path is one volatile read and one lookup in a small map.
 */
public final class ProtocolEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProtocolEvents.class);

    /** The reply when a {@code tempfail} binding fails. */
    public static final SmtpReply TEMPFAIL = SmtpReply.of(451, "4.7.1", "Service temporarily unavailable, try again later");

    private final BindingChain chain;
    private final BindingHealth health;
    private final dev.mailroot.server.metrics.ServerMetrics metrics;
    private final ThreadPoolExecutor pool;
    /** The binding each protocol-sink thread is calling now: who to blame when plugin code ends the process. */
    private final java.util.Map<Thread, BoundSink> running = new java.util.concurrent.ConcurrentHashMap<>();

    /** Calls a sink of the event: the sink instance, and the binding as its context. */
    @FunctionalInterface
    public interface Invoker {
        Verdict call(Object sink, SinkContext context) throws Exception;
    }

    /**
     * What the event decided.
     *
     * @param verdict  the deciding verdict; {@link Verdict#proceed()} when no binding decided
     * @param by       the binding that decided (or that failed with {@code tempfail}), or null
     * @param tempfail whether {@code verdict} is a {@code tempfail} binding's failure
     * @param steps    one line per binding called, for the trace: {@code 'name' -> reject 550 5.7.1 ...}
     */
    public record Outcome(Verdict verdict, BoundSink by, boolean tempfail, List<String> steps) {
        static final Outcome NONE = new Outcome(Verdict.proceed(), null, false, List.of());

        /** Whether the event refused (reject or disconnect, a failed tempfail binding included). */
        public boolean refused() {
            return verdict.kind() == Verdict.Kind.REJECT || verdict.kind() == Verdict.Kind.DISCONNECT;
        }

        /** "'name' {id}" of the deciding binding, or "-". */
        public String byName() {
            return by == null ? "-" : by.describe();
        }
    }

    /**
     * @param maxThreads how many calls may run at once (a hung sink holds one until its time limit)
     */
    public ProtocolEvents(BindingChain chain, BindingHealth health, int maxThreads) {
        this(chain, health, maxThreads, dev.mailroot.server.metrics.ServerMetrics.disabled());
    }

    /** As above, counting each call in {@code metrics} ({@code mailroot_sink_*}, with the event's name). */
    public ProtocolEvents(BindingChain chain, BindingHealth health, int maxThreads, dev.mailroot.server.metrics.ServerMetrics metrics) {
        this.metrics = metrics;
        this.chain = chain;
        this.health = health;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "protocol-sink-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The binding whose sink {@code thread} is calling now, if it is a protocol-sink thread in a call. */
    public java.util.Optional<BoundSink> callOn(Thread thread) {
        return java.util.Optional.ofNullable(running.get(thread));
    }

    /** Whether {@code event} has an enabled binding. */
    public boolean bound(String event) {
        return chain.bound(event);
    }

    /** Whether any protocol event has an enabled binding. */
    public boolean any() {
        return chain.anyProtocol();
    }

    /**
     * Runs {@code event}'s bindings whose rule matches {@code in}, in run order, until one decides.
     *
     * @param what for log lines: what is being judged ({@code client 192.0.2.1}, {@code <a@b>})
     */
    public Outcome run(String event, RuleInput in, String what, Invoker invoker) {
        List<BoundSink> bindings = chain.select(event, in);
        if (bindings.isEmpty()) {
            return Outcome.NONE;
        }
        List<String> steps = new ArrayList<>(bindings.size());
        for (BoundSink b : bindings) {
            if (b.isMissing()) {
                if (b.onMissing() == dev.mailroot.bindings.BindingStatus.OnMissing.TEMPFAIL) {
                    steps.add(b.bindingName() + ": sink not loaded (onMissing: tempfail)");
                    return new Outcome(Verdict.reject(TEMPFAIL), b, true, steps);
                }
                continue;
            }
            Verdict v;
            long started = System.nanoTime();
            try {
                v = call(event, b, invoker);
                metrics.sinkCall(b.bindingName(), event, switch (v.kind()) {
                    case REJECT, DISCONNECT -> "rejected";
                    case PROCEED, ACCEPT -> "ok";
                    default -> v.kind().name().toLowerCase(java.util.Locale.ROOT);
                }, System.nanoTime() - started);
            } catch (CallFailed f) {
                metrics.sinkCall(b.bindingName(), event, f.timeout ? "timeout" : "failed", System.nanoTime() - started);
                steps.add(b.bindingName() + ": failed: " + f.getMessage());
                if (b.onError() == BoundSink.OnError.TEMPFAIL) {
                    log.warn("MR6003 {} binding {} failed ({}) for {}; answered {} (onError: tempfail)", event, b.describe(),
                            f.getMessage(), what, TEMPFAIL);
                    return new Outcome(Verdict.reject(TEMPFAIL), b, true, steps);
                }
                continue;
            }
            steps.add(b.bindingName() + ": " + describe(v));
            if (v.ends()) {
                if (v.kind() != Verdict.Kind.ACCEPT) {
                    log.info("MR6001 {} binding {} {} {}: {}", event, b.describe(), describe(v), what, v.reason());
                }
                return new Outcome(v, b, false, steps);
            }
        }
        return new Outcome(Verdict.proceed(), null, false, steps);
    }

    /** A verdict in a few words: {@code proceed}, {@code reject 550 5.7.1 text}. */
    public static String describe(Verdict v) {
        String kind = v.kind().name().toLowerCase(java.util.Locale.ROOT);
        return v.reply() != null ? kind + " " + v.reply() : v.reason().isEmpty() ? kind : kind + ": " + v.reason();
    }

    private static final class CallFailed extends Exception {
        final boolean timeout;

        CallFailed(String what, boolean timeout) {
            super(what, null, false, false);
            this.timeout = timeout;
        }
    }

    private Verdict call(String event, BoundSink b, Invoker invoker) throws CallFailed {
        BoundSink bound = b;
        if (!bound.loaded().calls().enter()) {
            bound = chain.current(b).filter(x -> x.loaded().calls().enter()).orElse(null);
            if (bound == null) {
                throw failed(event, b, "is no longer provided: its plugin is unloading", null);
            }
        }
        BoundSink running = bound;
        String session = MDC.get("session");
        String msgId = MDC.get("msgId");
        AtomicBoolean begun = new AtomicBoolean();
        Future<Verdict> future;
        try {
            future = pool.submit(() -> {
                if (!begun.compareAndSet(false, true)) {
                    return null;
                }
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                if (session != null) {
                    MDC.put("session", session);
                }
                if (msgId != null) {
                    MDC.put("msgId", msgId);
                }
                MDC.put("binding", running.bindingName());
                thread.setContextClassLoader(running.classLoader());
                this.running.put(thread, running);
                try {
                    return invoker.call(running.instance(), running);
                } finally {
                    this.running.remove(thread);
                    thread.setContextClassLoader(previous);
                    MDC.clear();
                    running.loaded().calls().exit();
                }
            });
        } catch (RejectedExecutionException e) {
            running.loaded().calls().exit();
            throw failed(event, running, "found no free thread (too many protocol calls running)", null);
        }
        long limit = running.timeout().toMillis();
        try {
            Verdict v = future.get(limit, TimeUnit.MILLISECONDS);
            if (v == null) {
                throw failed(event, running, "returned null (return Verdict.proceed() to let the next sink decide)", null);
            }
            if (v.kind() == Verdict.Kind.DISCARD && !Events.ON_END_OF_DATA.equals(event)
                    || v.kind() == Verdict.Kind.QUARANTINE && !Events.ON_END_OF_DATA.equals(event)
                    && !Events.ON_REMOTE_DELIVERY.equals(event)) {
                throw failed(event, running, "returned " + v.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + ", which only " + (v.kind() == Verdict.Kind.DISCARD ? "OnEndOfData sinks may"
                        : "OnEndOfData and OnRemoteDelivery (hold) sinks may"), null);
            }
            health.succeeded(running.binding());
            return v;
        } catch (TimeoutException e) {
            future.cancel(true);
            if (begun.compareAndSet(false, true)) {
                running.loaded().calls().exit();
            }
            throw failed(event, running, "did not finish within its time limit of " + limit + " ms", null, true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw failed(event, running, "threw " + ControlCharacters.escape(String.valueOf(cause)), cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw failed(event, running, "was interrupted (the server is stopping)", null);
        }
    }

    private CallFailed failed(String event, BoundSink b, String what, Throwable cause) {
        return failed(event, b, what, cause, false);
    }

    private CallFailed failed(String event, BoundSink b, String what, Throwable cause, boolean timeout) {
        String text = event + " binding " + b.describe() + " (" + b.binding().sinkClass() + ") " + what;
        // a backend that is down (an IOException, a timeout) or an invalid reply says all in one line; a
        // bug in the sink (a RuntimeException, an Error) gets its stack trace
        boolean bug = cause instanceof RuntimeException && !(cause instanceof IllegalArgumentException)
                || cause instanceof Error && !(cause instanceof StackOverflowError);
        if (!bug) {
            log.warn("MR6002 {}; {}", text, b.onError() == BoundSink.OnError.TEMPFAIL ? "onError: tempfail" : "treated as proceed (onError: continue)");
        } else {
            log.warn("MR6002 {}; {}", text, b.onError() == BoundSink.OnError.TEMPFAIL ? "onError: tempfail" : "treated as proceed (onError: continue)", cause);
        }
        health.failed(b.binding(), what);
        return new CallFailed(what, timeout);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
