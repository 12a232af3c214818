package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.Binding;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A binding with the sink instance that serves it and the class loader to run it under (the
 * plugin's, so that the plugin's own libraries and ServiceLoader lookups resolve).
 */
public record BoundSink(Binding binding, OnSubmissionSink sink, ClassLoader classLoader) implements SinkContext {

    @Override
    public String bindingId() {
        return binding.id();
    }

    @Override
    public String bindingName() {
        return binding.name();
    }

    @Override
    public Map<String, String> properties() {
        return binding.sinkProperties();
    }

    @Override
    public Logger logger() {
        return LoggerFactory.getLogger(binding.sinkClass());
    }

    /** "name {id}", as log lines name a binding. */
    public String describe() {
        return "'" + binding.name() + "' " + binding.id();
    }
}
