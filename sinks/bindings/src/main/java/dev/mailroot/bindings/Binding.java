package dev.mailroot.bindings;

import java.util.Comparator;
import java.util.Map;
import java.util.Objects;

/**
 * A binding: which sink runs for which event, for which messages and in which order. The shape of
 * an smtpreg.vbs binding: an id (a GUID in braces), a display name, the event, the sink class, the
 * enabled flag, the source properties (rule, priority) and the sink properties.
 *
 * @param id             GUID in braces, upper case: {@code {66F4180A-627E-4073-8D31-51F628AA8366}}
 * @param name           display name, unique per event
 * @param event          the event name, e.g. {@code OnSubmission}
 * @param sinkClass      the fully qualified class name of the sink extension
 * @param enabled        whether the dispatcher runs it
 * @param rule           the IIS rule text, or null for "always"
 * @param priority       0 (runs first) .. 32767 (runs last)
 * @param sinkProperties the sink's own properties
 */
public record Binding(String id, String name, String event, String sinkClass, boolean enabled,
                      String rule, int priority, Map<String, String> sinkProperties) {

    /** The lowest priority number, which runs first. */
    public static final int PRIORITY_HIGHEST = 0;
    /** The highest priority number, which runs last. */
    public static final int PRIORITY_LOWEST = 32767;
    /** The priority smtpreg.vbs gives a binding when none is named. */
    public static final int PRIORITY_DEFAULT = 24575;

    /** Run order: lower priority number first, then name, then id, so the order never depends on chance. */
    public static final Comparator<Binding> RUN_ORDER = Comparator.comparingInt(Binding::priority)
            .thenComparing(Binding::name)
            .thenComparing(Binding::id);

    public Binding {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(sinkClass, "sinkClass");
        if (priority < PRIORITY_HIGHEST || priority > PRIORITY_LOWEST) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0..32767");
        }
        sinkProperties = sinkProperties == null ? Map.of() : Map.copyOf(sinkProperties);
    }
}
