package dev.mailroot.testkit;

import dev.mailroot.bindings.Binding;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.SinkStatus;

import java.util.Optional;

/**
 * One sink call of a chain run, as the message's trace records it.
 *
 * @param binding the binding that ran
 * @param outcome how the call ended
 * @param status  what the sink returned ({@link SinkStatus#RUN_NEXT_SINK} for a failed call, as the
 *                server counts it)
 * @param fate    the message's fate after the call (after {@code onError} applied)
 * @param failure what the sink threw, for {@link Outcome#FAILED}
 */
public record Call(Binding binding, Outcome outcome, SinkStatus status, Fate fate, Optional<Throwable> failure) {

    /** How a call ended. */
    public enum Outcome {
        /** The sink returned; its changes stand. */
        RETURNED,
        /** The sink set {@link Fate#defer}: its own changes are undone, the chain ends. */
        DEFERRED,
        /** The sink threw: its changes are undone and the binding's {@code onError} decided. */
        FAILED
    }

    /** The binding's display name. */
    public String bindingName() {
        return binding.name();
    }

    @Override
    public String toString() {
        return "'" + binding.name() + "' " + outcome + " " + status + " -> " + fate.kind()
                + failure.map(t -> " (" + t + ")").orElse("");
    }
}
