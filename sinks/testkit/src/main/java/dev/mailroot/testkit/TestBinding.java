package dev.mailroot.testkit;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.Rule;
import dev.mailroot.bindings.RuleSyntaxException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Describes a binding for {@link ChainRunner}, as {@code registry add} would create it: a name, an
 * IIS rule, a priority and sink properties. The sink class is the class of the sink it is paired
 * with. Start with {@link #binding(String)}.
 *
 * <pre>{@code
 * ChainRunner.with(binding("Tag sales").rule("RCPT TO=sales@*").priority(1000).property("header", "X-Team"), new TagSink())
 * }</pre>
 */
public final class TestBinding {
    private final String name;
    private String id;
    private String rule;
    private int priority = Binding.PRIORITY_DEFAULT;
    private boolean enabled = true;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private TestBinding(String name) {
        this.name = name;
    }

    /** A binding called {@code name}: enabled, no rule (always), priority 24575, no properties, a random id. */
    public static TestBinding binding(String name) {
        return new TestBinding(name);
    }

    /** Its id, a GUID (in braces or not); a random one by default. */
    public TestBinding id(String guid) {
        id = Binding.canonicalId(guid);
        return this;
    }

    /**
     * Its IIS rule, such as {@code RCPT TO=*@example.com;MAIL FROM=boss@*}.
     *
     * @throws IllegalArgumentException if the rule does not parse (as {@code registry add} refuses it)
     */
    public TestBinding rule(String text) {
        try {
            Rule.parse(text);
        } catch (RuleSyntaxException e) {
            throw new IllegalArgumentException("rule " + e.getMessage(), e);
        }
        rule = text;
        return this;
    }

    /** Its priority: 0 runs first, 32767 last. */
    public TestBinding priority(int value) {
        if (value < Binding.PRIORITY_HIGHEST || value > Binding.PRIORITY_LOWEST) {
            throw new IllegalArgumentException("priority " + value + " is outside 0..32767");
        }
        priority = value;
        return this;
    }

    /** Adds a sink property; {@code timeoutMs}, {@code onError} ({@code continue}, {@code badmail}, {@code defer}) and {@code onMissing} are read by the server (and the runner). */
    public TestBinding property(String name, String value) {
        properties.put(name, value);
        return this;
    }

    /** Makes it disabled: the runner never selects it, as the server does not. */
    public TestBinding disabled() {
        enabled = false;
        return this;
    }

    /** The binding for a sink of class {@code sinkClass}. */
    public Binding toBinding(Class<?> sinkClass) {
        return new Binding(id == null ? Binding.newId() : id, name, Events.ON_SUBMISSION, sinkClass.getName(), enabled,
                rule, priority, properties);
    }
}
