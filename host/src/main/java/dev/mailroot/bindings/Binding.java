package dev.mailroot.bindings;

import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A binding: which sink runs for which event, for which messages and in which order. The shape of
 * an smtpreg.vbs binding: an id (a GUID in braces), a display name, the event, the sink class, the
 * enabled flag, the source properties (rule, priority) and the sink properties, plus what the
 * server recorded when it disabled the binding after repeated failures.
 *
 * @param id             GUID in braces, upper case: {@code {66F4180A-627E-4073-8D31-51F628AA8366}}
 * @param name           display name
 * @param event          the event name, canonical ({@link Events#ON_SUBMISSION})
 * @param sinkClass      the fully qualified class name of the sink extension
 * @param enabled        whether the dispatcher runs it
 * @param rule           the IIS rule text, or null for "always"
 * @param priority       0 (runs first) .. 32767 (runs last)
 * @param sinkProperties the sink's own properties
 * @param failure        why and when the server disabled it, or null
 */
public record Binding(String id, String name, String event, String sinkClass, boolean enabled,
                      String rule, int priority, Map<String, String> sinkProperties, Failure failure) {

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

    private static final Pattern GUID = Pattern.compile(
            "\\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}}?");

    /**
     * What the server recorded when it disabled a binding.
     *
     * @param at       when
     * @param failures how many consecutive failures
     * @param cause    the last failure, one line
     */
    public record Failure(Instant at, int failures, String cause) {
    }

    public Binding {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(sinkClass, "sinkClass");
        if (priority < PRIORITY_HIGHEST || priority > PRIORITY_LOWEST) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0..32767");
        }
        sinkProperties = sinkProperties == null ? Map.of() : Map.copyOf(sinkProperties);
        rule = rule == null || rule.isBlank() ? null : rule;
    }

    /** A binding without failure state. */
    public Binding(String id, String name, String event, String sinkClass, boolean enabled, String rule,
                   int priority, Map<String, String> sinkProperties) {
        this(id, name, event, sinkClass, enabled, rule, priority, sinkProperties, null);
    }

    /** Whether {@code text} is a GUID, with or without braces, in any case. */
    public static boolean isGuid(String text) {
        return text != null && GUID.matcher(text).matches();
    }

    /** The canonical form of a GUID: upper case, in braces. */
    public static String canonicalId(String guid) {
        if (!isGuid(guid)) {
            throw new IllegalArgumentException("not a GUID: " + guid);
        }
        String bare = guid.replace("{", "").replace("}", "").toUpperCase(Locale.ROOT);
        return "{" + bare + "}";
    }

    /** A new random id. */
    public static String newId() {
        return canonicalId(UUID.randomUUID().toString());
    }

    public Binding withEnabled(boolean value) {
        return new Binding(id, name, event, sinkClass, value, rule, priority, sinkProperties, value ? null : failure);
    }

    public Binding withFailure(Failure value) {
        return new Binding(id, name, event, sinkClass, value == null && enabled, rule, priority, sinkProperties, value);
    }

    public Binding withRule(String value) {
        return new Binding(id, name, event, sinkClass, enabled, value, priority, sinkProperties, failure);
    }

    public Binding withPriority(int value) {
        return new Binding(id, name, event, sinkClass, enabled, rule, value, sinkProperties, failure);
    }

    public Binding withSinkProperties(Map<String, String> value) {
        return new Binding(id, name, event, sinkClass, enabled, rule, priority, value, failure);
    }
}
