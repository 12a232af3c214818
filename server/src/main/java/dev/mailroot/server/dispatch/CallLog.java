package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.Binding;
import dev.mailroot.server.spool.BindingRef;
import dev.mailroot.server.spool.HeaderOverride;
import dev.mailroot.server.spool.Progress;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;

import java.io.IOException;

/**
 * Where the dispatcher records, before each sink call, which message and binding the call is for,
 * so that a process that dies in the call can tell at its next start (poison-message protection),
 * and what the calls so far changed, so that a chain cut short resumes after them with their notes,
 * headers and content.
 */
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

    /** Records what the calls so far made of {@code message}; the chain goes on (or waits). */
    default void progress(SpoolEntry message, SpoolEnvelope envelope, HeaderOverride override, Progress progress,
                          boolean durable) throws IOException {
    }

    /** The calls recorded in {@code spool}. */
    static CallLog of(Spool spool) {
        return new CallLog() {
            @Override
            public void calling(SpoolEntry message, Binding binding, boolean durable) throws IOException {
                spool.beginCall(message, new BindingRef(binding.id(), binding.name()), durable);
            }

            @Override
            public void progress(SpoolEntry message, SpoolEnvelope envelope, HeaderOverride override, Progress progress,
                                 boolean durable) throws IOException {
                spool.progress(message, envelope, override, progress, durable);
            }
        };
    }
}
