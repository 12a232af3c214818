package dev.mailroot.server.dispatch;

import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.HeaderOverride;
import dev.mailroot.server.spool.Progress;
import dev.mailroot.server.spool.RecipientOutcome;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.sink.Fate;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything the OnSubmission stage decided for a message and changed in it, so that the queue
 * runner can record and act on it without looking back into the submission.
 *
 * @param fate        deliver, abort, badmail or defer
 * @param setBy       the binding that set a fate other than deliver ("name {id}"), or null
 * @param ran         how many sink calls were made (and recorded in the spool)
 * @param waitsForSink why the chain could not run (a binding with {@code onMissing: tempfail}
 *                    whose sink is not loaded), or null; the message waits, unchanged
 * @param changed     whether the envelope, headers, content, notes or recipients' fates changed
 * @param envelope    the envelope as the sinks left it
 * @param override    the header section as the sinks left it (relative to the content), or null
 * @param progress    notes, recipients' outcomes, replaced content, the bindings done (for a
 *                    deferred chain) and the whole trace so far
 * @param chainTrace  the trace entries of this run of the chain
 * @param content     the message as the sinks left it
 * @param madeFiles   the content files the sinks' replacements made in this run; those the recorded
 *                    result does not name are to be removed once it is durable
 *                    ({@link dev.mailroot.server.spool.Spool#discardContent})
 */
public record DispatchResult(Fate fate, String setBy, int ran, String waitsForSink, boolean changed,
                             SpoolEnvelope envelope, HeaderOverride override, Progress progress,
                             List<TraceEntry> chainTrace, MessageContent content, List<Path> madeFiles) {

    /** Whether the message must wait for a missing sink instead of going on. */
    public boolean isWaitingForSink() {
        return waitsForSink != null;
    }

    /** Whether a sink (or a failure with {@code onError: defer}) deferred the message. */
    public boolean isDeferred() {
        return fate.kind() == Fate.Kind.DEFER;
    }

    /** The recipients the sinks took out with a fate of their own, in this chain and before. */
    public List<RecipientOutcome> outcomes() {
        return progress.outcomes();
    }
}
