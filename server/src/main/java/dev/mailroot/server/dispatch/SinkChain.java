package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Submission;

import java.util.List;

/**
 * Selects the OnSubmission bindings that run for a message, in run order. The event-sink framework
 * provides the real one (bindings, rules, plugins); an empty chain delivers everything untouched.
 */
@FunctionalInterface
public interface SinkChain {

    /** The chain that runs nothing. */
    SinkChain EMPTY = submission -> List.of();

    /** The enabled bindings whose rule matches {@code submission}'s envelope, lowest priority number first. */
    List<BoundSink> select(Submission submission);

    /**
     * The binding of {@code stale} with the sink that provides its class now, when the plugin it was
     * selected with has gone since (replaced by a newer version while the message's earlier sinks
     * ran); empty if no other loaded plugin provides it.
     */
    default java.util.Optional<BoundSink> current(BoundSink stale) {
        return java.util.Optional.empty();
    }
}
