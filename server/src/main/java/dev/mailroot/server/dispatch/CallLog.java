package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.Binding;
import dev.mailroot.server.spool.SpoolEntry;

import java.io.IOException;

/**
 * Where the dispatcher records, before each sink call, which message and binding the call is for,
 * so that a process that dies in the call can tell at its next start (poison-message protection).
 */
@FunctionalInterface
public interface CallLog {

    /** Records nothing (in-process sinks in tests that do not need it). */
    CallLog NONE = (message, binding, durable) -> { };

    /**
     * Records that {@code binding}'s sink is about to be called on {@code message}.
     *
     * @param durable whether the record must be durable when this returns (else it is written with
     *                the next commit, within milliseconds, and this returns at once)
     * @throws IOException if it cannot be recorded; the call is then not made
     */
    void calling(SpoolEntry message, Binding binding, boolean durable) throws IOException;
}
