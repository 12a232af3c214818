package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.Binding;
import dev.mailroot.server.plugins.LoadedSink;
import dev.mailroot.sink.OnSubmissionSink;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds in-process sink chains for tests. */
public final class TestSinks {
    private TestSinks() {
    }

    public static BoundSink bound(String name, int priority, OnSubmissionSink sink) {
        return bound(name, priority, Map.of(), sink);
    }

    public static BoundSink bound(String name, int priority, Map<String, String> props, OnSubmissionSink sink) {
        String id = "{" + UUID.nameUUIDFromBytes(name.getBytes()).toString().toUpperCase() + "}";
        return new BoundSink(new Binding(id, name, "OnSubmission", sink.getClass().getName(), true, null, priority, props),
                LoadedSink.local(sink));
    }

    /** A chain that runs every given binding, in run order. */
    public static SinkChain chain(BoundSink... sinks) {
        List<BoundSink> ordered = Arrays.stream(sinks)
                .sorted((a, b) -> Binding.RUN_ORDER.compare(a.binding(), b.binding())).toList();
        return submission -> ordered;
    }
}
