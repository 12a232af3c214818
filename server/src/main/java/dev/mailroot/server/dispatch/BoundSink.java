package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.server.plugins.LoadedSink;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * A binding with the loaded sink that serves it, or none when no loaded plugin provides its sink
 * class ({@link #isMissing()}). Three sink properties are the server's, not the sink's:
 * {@code timeoutMs} (the time limit of one call, default 30000), {@code onError} ({@code continue},
 * the default, or {@code badmail}: what happens to the message when the call fails or overruns)
 * and {@code onMissing} ({@code skip}, the default, or {@code tempfail}: what happens to the
 * message when the sink is not loaded).
 */
public record BoundSink(Binding binding, LoadedSink loaded) implements SinkContext {

    /** The time limit of one call when the binding does not set {@code timeoutMs}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The time limit of one protocol-event call when the binding does not set {@code timeoutMs}: the client is waiting. */
    public static final Duration DEFAULT_PROTOCOL_TIMEOUT = Duration.ofSeconds(5);

    /** A binding whose sink class no loaded plugin provides. */
    public static BoundSink missing(Binding binding) {
        return new BoundSink(binding, null);
    }

    /** Whether no loaded plugin provides the binding's sink class. */
    public boolean isMissing() {
        return loaded == null;
    }

    /** What a failed call means for the message. */
    public enum OnError {
        /** The failure is logged and the chain goes on (the default). */
        CONTINUE,
        /** The message goes to badmail with the failure as the reason. */
        BADMAIL,
        /** The message waits and the chain runs again from this binding later, as if the sink deferred it. */
        DEFER,
        /** Protocol events: the command is refused with {@code 451 4.7.1} (mail without a session waits). */
        TEMPFAIL
    }

    /** The sink instance, whatever events it serves. */
    public Object instance() {
        return loaded.instance();
    }

    public OnSubmissionSink sink() {
        return loaded.sink();
    }

    public ClassLoader classLoader() {
        return loaded.loader();
    }

    /** The binding's {@code timeoutMs}, or its event's default (30 s, 5 s for protocol events): {@link BindingStatus#timeoutMs}. */
    public Duration timeout() {
        return Duration.ofMillis(BindingStatus.timeoutMs(binding));
    }

    /** The binding's {@code onError}; {@code continue} unless it says {@code badmail}. */
    public OnError onError() {
        return onError(binding);
    }

    /** {@code binding}'s {@code onError}; {@code continue} unless it says {@code badmail}. */
    public static OnError onError(Binding binding) {
        // one reading for the server and the registry: a value not allowed for the event is continue
        return OnError.valueOf(BindingStatus.onError(binding).toUpperCase(java.util.Locale.ROOT));
    }

    /** The binding's {@code onMissing}; {@code skip} unless it says {@code tempfail}. */
    public BindingStatus.OnMissing onMissing() {
        return BindingStatus.onMissing(binding);
    }

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

    /** {@code plugin.<plugin-id>}, whose level {@code logging: {<plugin-id>: debug}} sets; the class name for in-process sinks. */
    @Override
    public Logger logger() {
        return LoggerFactory.getLogger(loaded.isLocal() ? binding.sinkClass() : "plugin." + loaded.pluginId());
    }

    /** "'name' {id}", as log lines name a binding. */
    public String describe() {
        return "'" + binding.name() + "' " + binding.id();
    }
}
