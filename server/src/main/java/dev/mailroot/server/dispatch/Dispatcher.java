package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.List;

/**
 * The OnSubmission stage: runs the selected bindings' sinks over one message in run order, each
 * under its plugin's class loader. A sink that throws is logged with its binding and the message
 * id, and the chain goes on. The chain ends after the last binding, on
 * {@link SinkStatus#SKIP_REMAINING_SINKS}, or when a sink sets a fate other than deliver.
 * Thread-safe: messages are dispatched concurrently.
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final SinkChain chain;

    public Dispatcher(SinkChain chain) {
        this.chain = chain;
    }

    public DispatchResult dispatch(SpooledSubmission submission) {
        List<BoundSink> sinks = chain.select(submission);
        int ran = 0;
        for (BoundSink bound : sinks) {
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

    private SinkStatus call(BoundSink bound, SpooledSubmission submission) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        MDC.put("binding", bound.bindingName());
        thread.setContextClassLoader(bound.classLoader());
        try {
            SinkStatus status = bound.sink().onSubmission(submission, bound);
            return status == null ? SinkStatus.RUN_NEXT_SINK : status;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            log.warn("MR2001 binding {} ({}) failed: {}", bound.describe(),
                    bound.binding().sinkClass(), e.toString(), e);
            return SinkStatus.RUN_NEXT_SINK;
        } finally {
            thread.setContextClassLoader(previous);
            MDC.remove("binding");
        }
    }
}
