package dev.mailroot.sink;

import org.pf4j.ExtensionPoint;

/**
 * A sink for the OnSubmission event (IIS {@code OnArrival} / {@code OnTransportSubmission}): runs
 * once per accepted message per matching binding, after the message is durable in the spool and
 * before delivery, for SMTP and pickup mail alike.
 *
 * <p><b>When.</b> The dispatcher selects the enabled OnSubmission bindings whose rule matches the
 * envelope, orders them by priority (lower first), and calls each binding's sink in turn with the
 * same {@link Submission}. The chain ends after the last binding, when a sink returns
 * {@link SinkStatus#SKIP_REMAINING_SINKS}, or when a sink sets a fate other than deliver.
 *
 * <p><b>What it may do.</b> Read and change the envelope and the headers; read the body or the
 * whole message and replace either (streamed); set notes for later sinks; decide the fate of single
 * recipients ({@link RecipientFate}) or of the whole message ({@link Fate}: deliver, abort, badmail,
 * or defer to run again later); send new mail. Changes are written to the spool after the chain,
 * before delivery. The event fires after the SMTP client got its {@code 250}, so a sink cannot
 * refuse the SMTP transaction. Every call is recorded in the message's trace
 * ({@code bin/mailroot trace <id>}): the binding, the outcome, the time taken and what changed.
 *
 * <p><b>Threading.</b> Calls for different messages run concurrently, possibly on the same sink
 * instance: an implementation must be thread-safe and should keep no per-message state in fields.
 * Calls for one message never overlap.
 *
 * <p><b>Time limit.</b> Each call must finish within its binding's {@code timeoutMs} sink property
 * (default 30000). A call that overruns is abandoned: the submission it holds stops working
 * ({@link IllegalStateException}) and its changes are undone. Honour interrupts.
 *
 * <p><b>Failures and repeats.</b> An exception thrown here is logged with the binding and message
 * id, the call's changes are undone, and the binding's {@code onError} decides: the message goes
 * on ({@code continue}), to badmail ({@code badmail}), or waits and the chain runs again from this
 * binding later ({@code defer}); five consecutive failures disable the binding. Processing is
 * at-least-once: if the server dies after the sink ran but before the chain's changes were
 * recorded, the sink runs again for that message after the restart. A call that set notes, replaced
 * the content, decided a recipient's fate or sent mail is recorded before the next call starts, and
 * a restart resumes the chain after it; a call that only edited headers or the envelope may run
 * again. Make side effects idempotent.
 */
public interface OnSubmissionSink extends ExtensionPoint {

    /**
     * Handles one message.
     *
     * @param submission the message; valid only during this call
     * @param context    the calling binding's id, name, properties and a logger
     * @return whether the chain goes on
     * @throws Exception on failure; the dispatcher logs it and carries on with the next binding
     */
    SinkStatus onSubmission(Submission submission, SinkContext context) throws Exception;
}
