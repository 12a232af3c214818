package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Fate;

/**
 * What the OnSubmission stage decided for a message.
 *
 * @param fate     deliver, abort or badmail
 * @param setBy    the binding that set a fate other than deliver ("name {id}"), or null
 * @param ran      how many sink calls were made (and recorded in the spool)
 * @param deferred why the chain did not run and the message must wait (a binding with
 *                 {@code onMissing: tempfail} whose sink is not loaded), or null
 */
public record DispatchResult(Fate fate, String setBy, int ran, String deferred) {

    /** The chain ran (or had nothing to run). */
    public DispatchResult(Fate fate, String setBy, int ran) {
        this(fate, setBy, ran, null);
    }

    /** The chain cannot run now; the message waits in the spool, unchanged. */
    static DispatchResult defer(String reason, int ran) {
        return new DispatchResult(Fate.deliver(), null, ran, reason);
    }

    /** Whether the message must wait for a missing sink instead of going on. */
    public boolean isDeferred() {
        return deferred != null;
    }
}
