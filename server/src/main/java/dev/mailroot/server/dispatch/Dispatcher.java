package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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
 * The OnSubmission stage: runs the selected bindings' sinks over one message in run order.
 *
 * <p>Each call runs on the sink pool, under the plugin's class loader, with the message id and
 * binding name in the log context, and within the binding's time limit. A call that throws or
 * overruns is logged with its binding and the message id, its changes to the message are undone,
 * and the binding's {@code onError} decides: {@code continue} (the chain goes on) or
 * {@code badmail}. The sink pool is bounded: a sink that hangs holds one of its threads, never a
 * delivery worker, and never SMTP intake.
 *
 * <p>A binding whose plugin was removed after the chain was chosen is skipped ({@code MR2005}), as
 * a binding whose sink class no plugin provides is: never called into an unloaded plugin, and not
 * counted as a failure.
 *
 * <p>The chain ends after the last binding, on {@link SinkStatus#SKIP_REMAINING_SINKS}, or when a
 * sink sets a fate other than deliver. Thread-safe: messages are dispatched concurrently.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final SinkChain chain;
    private final BindingHealth health;
    private final ThreadPoolExecutor pool;

    /**
     * @param chain    selects the bindings for a message
     * @param health   counts failures and disables failing bindings
     * @param workers  threads for calls running normally (one per delivery worker)
     * @param overruns extra threads that calls stuck past their time limit may hold
     */
    public Dispatcher(SinkChain chain, BindingHealth health, int workers, int overruns) {
        this.chain = chain;
        this.health = health;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers + overruns, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "sink-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public DispatchResult dispatch(SpooledSubmission submission) {
        List<BoundSink> sinks = chain.select(submission);
        int ran = 0;
        for (BoundSink bound : sinks) {
            if (!bound.loaded().calls().enter()) {
                // its plugin went after the chain was chosen: a missing sink, not a failing one
                log.warn("MR2005 binding {} is skipped: sink class {} is no longer provided: plugin '{}' is unloaded "
                        + "or unloading", bound.describe(), bound.binding().sinkClass(), bound.loaded().pluginId());
                continue;
            }
            ran++;
            SinkStatus status = call(bound, submission);
            Fate fate = submission.fate();
            if (fate.stopsDelivery()) {
                return new DispatchResult(fate, bound.describe(), ran);
            }
            if (status == SinkStatus.SKIP_REMAINING_SINKS) {
                log.debug("binding {} skipped the remaining sinks", bound.describe());
                break;
            }
        }
        return new DispatchResult(submission.fate(), null, ran);
    }

    /** Gives up on a call; if it never began it never will, so its plugin's call count is released here. */
    private static void abandon(Future<SinkStatus> future, AtomicBoolean begun, BoundSink bound) {
        future.cancel(true);
        if (begun.compareAndSet(false, true)) {
            bound.loaded().calls().exit();
        }
    }

    /** Calls {@code bound}, whose plugin's calls the caller has entered; exits them when the call ends. */
    private SinkStatus call(BoundSink bound, SpooledSubmission submission) {
        SpooledSubmission.Checkpoint checkpoint = submission.checkpoint();
        CallView view = new CallView(submission);
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
                try {
                    return bound.sink().onSubmission(view, bound);
                } finally {
                    thread.setContextClassLoader(previous);
                    MDC.remove("binding");
                    MDC.remove("msgId");
                    bound.loaded().calls().exit();
                }
            });
        } catch (RejectedExecutionException e) {
            bound.loaded().calls().exit();
            return failed(bound, submission, view, checkpoint, "MR2001", "no sink thread free (too many calls stuck past their time limit)", null);
        }
        try {
            SinkStatus status = future.get(bound.timeout().toMillis(), TimeUnit.MILLISECONDS);
            health.succeeded(bound.binding());
            return status == null ? SinkStatus.RUN_NEXT_SINK : status;
        } catch (TimeoutException e) {
            abandon(future, begun, bound);
            return failed(bound, submission, view, checkpoint, "MR2003",
                    "did not finish within its time limit of " + bound.timeout().toMillis() + " ms", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VirtualMachineError vme) {
                throw vme;
            }
            return failed(bound, submission, view, checkpoint, "MR2001", "threw " + cause, cause);
        } catch (InterruptedException e) {
            abandon(future, begun, bound);
            view.revoke();
            submission.restore(checkpoint);
            Thread.currentThread().interrupt();
            return SinkStatus.SKIP_REMAINING_SINKS;
        }
    }

    private SinkStatus failed(BoundSink bound, SpooledSubmission submission, CallView view,
                              SpooledSubmission.Checkpoint checkpoint, String event, String what, Throwable cause) {
        view.revoke();
        submission.restore(checkpoint);
        String text = "binding " + bound.describe() + " (" + bound.binding().sinkClass() + ") " + what;
        if (cause != null) {
            log.warn("{} {}; its changes to the message are undone", event, text, cause);
        } else {
            log.warn("{} {}; its changes to the message are undone", event, text);
        }
        health.failed(bound.binding(), what);
        if (bound.onError() == BoundSink.OnError.BADMAIL) {
            submission.setFate(Fate.badmail(text + " (onError=badmail)"));
        }
        return SinkStatus.RUN_NEXT_SINK;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
