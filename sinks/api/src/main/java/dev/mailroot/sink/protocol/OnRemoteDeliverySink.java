package dev.mailroot.sink.protocol;

import dev.mailroot.sink.SinkContext;
import org.pf4j.ExtensionPoint;

/**
 * A sink for the <b>OnRemoteDelivery</b> transport event: the outbound queue is about to send a
 * message to one destination (a remote domain, or the smarthost), before each attempt. Bound,
 * ordered and managed exactly like the other events (a binding with event {@code OnRemoteDelivery},
 * a rule matched against the sender and the recipients of this attempt, a priority, properties,
 * {@code timeoutMs} (default 5000) and {@code onError}: {@code continue} sends anyway,
 * {@code tempfail} defers the attempt).
 *
 * <p>What a verdict does: {@link Verdict#proceed()} lets the next sink decide and then sends;
 * {@link Verdict#accept()} sends without asking the later sinks; {@link Verdict#reject} with a
 * {@code 5xx} reply fails the recipients of this attempt (the sender gets a delivery status
 * notification quoting the reply), with a {@code 4xx} reply defers them (retried with the usual
 * back-off); {@link Verdict#quarantine} holds them in the queue until an administrator releases
 * them ({@code bin/mailroot queue release}). Header fields added with
 * {@link RemoteDelivery#addHeader} go on top of the message for this attempt only; the next attempt
 * (after a {@code 4xx}) calls the sinks again on the message as spooled, so a field is never
 * repeated and a signature is always fresh: the place for a DKIM-signing sink.
 *
 * <p>Calls for different messages run concurrently on one instance: keep no per-message state in fields.
 */
public interface OnRemoteDeliverySink extends ExtensionPoint {

    /**
     * @return what to do with this attempt
     * @throws Exception on failure; the binding's {@code onError} decides
     */
    Verdict onRemoteDelivery(RemoteDelivery delivery, SinkContext context) throws Exception;
}
