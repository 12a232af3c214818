package dev.mailroot.testkit;

import dev.mailroot.bindings.Binding;
import dev.mailroot.sink.SinkContext;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link SinkContext} for calling a sink directly in a test (the role of James's
 * {@code FakeMailetConfig}): a binding id and name, the sink properties, and a logger that records
 * what the sink logs.
 *
 * <pre>{@code
 * FakeSinkContext ctx = FakeSinkContext.withProperties("header", "X-Team", "value", "sales");
 * sink.onSubmission(submission, ctx);
 * assertThat(ctx.lines()).extracting(LogLine::message).contains("tagged");
 * }</pre>
 */
public final class FakeSinkContext implements SinkContext {
    /** The binding id a context gets when none is given. */
    public static final String DEFAULT_ID = "{00000000-0000-0000-0000-000000000001}";

    private final String bindingId;
    private final String bindingName;
    private final Map<String, String> properties;
    private final List<LogLine> lines;
    private final Logger logger;

    /**
     * @param bindingId   the binding's id
     * @param bindingName the binding's display name
     * @param properties  its sink properties (copied)
     * @param loggerName  the name of the logger (the server uses {@code plugin.<plugin-id>})
     */
    public FakeSinkContext(String bindingId, String bindingName, Map<String, String> properties, String loggerName) {
        this(bindingId, bindingName, properties, loggerName, new ArrayList<>());
    }

    FakeSinkContext(String bindingId, String bindingName, Map<String, String> properties, String loggerName, List<LogLine> lines) {
        this.bindingId = bindingId;
        this.bindingName = bindingName;
        this.properties = Map.copyOf(properties);
        this.lines = lines;
        this.logger = new CapturingLogger(loggerName, bindingName, lines);
    }

    /** A context named "test" with the given properties as name, value pairs. */
    public static FakeSinkContext withProperties(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("properties come in name, value pairs");
        }
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            p.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new FakeSinkContext(DEFAULT_ID, "test", p, "plugin.test");
    }

    /** The context the server hands {@code binding}'s sink: its id, name and sink properties. */
    public static FakeSinkContext of(Binding binding) {
        return new FakeSinkContext(binding.id(), binding.name(), binding.sinkProperties(), binding.sinkClass());
    }

    @Override
    public String bindingId() {
        return bindingId;
    }

    @Override
    public String bindingName() {
        return bindingName;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public Logger logger() {
        return logger;
    }

    /** What the sink logged through {@link #logger()}, in order. */
    public List<LogLine> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
