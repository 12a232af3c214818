package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.Events;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The sink classes the plugins in {@code plugins/} provide, and each binding's live status as
 * {@code registry enum} shows it.
 */
final class Catalog {
    private final List<PluginJar> jars;
    private final Map<String, PluginJar> byClass = new HashMap<>();

    Catalog(List<PluginJar> jars) {
        this.jars = jars;
        for (PluginJar j : jars) {
            for (PluginJar.Sink s : j.sinks()) {
                byClass.putIfAbsent(s.className(), j);
            }
        }
    }

    List<PluginJar> jars() {
        return jars;
    }

    Optional<PluginJar> provider(String sinkClass) {
        return Optional.ofNullable(byClass.get(sinkClass));
    }

    /** The events {@code sinkClass} serves, as the jar the server uses provides it; empty if no plugin provides it. */
    List<String> events(String sinkClass) {
        PluginJar j = byClass.get(sinkClass);
        return j == null ? List.of() : j.sinks().stream().filter(s -> s.className().equals(sinkClass))
                .findFirst().map(PluginJar.Sink::events).orElse(List.of());
    }

    /** Whether a plugin provides {@code sinkClass} as a sink of {@code event}. */
    boolean provides(String sinkClass, String event) {
        return events(sinkClass).contains(event);
    }

    /**
     * Why a provided sink class cannot serve {@code event}, for example {@code com.example.Tag implements
     * OnSubmissionSink, not OnHeloSink (plugin 'tag')}; empty when it can, or when no plugin provides it.
     */
    Optional<String> wrongEvent(String sinkClass, String event) {
        List<String> events = events(sinkClass);
        if (events.isEmpty() || events.contains(event)) {
            return Optional.empty();
        }
        String has = events.stream().map(e -> Events.sinkInterface(e).getSimpleName()).collect(Collectors.joining(", "));
        return Optional.of(sinkClass + " implements " + has + ", not " + Events.sinkInterface(event).getSimpleName()
                + " (plugin '" + byClass.get(sinkClass).pluginId() + "')");
    }

    /**
     * {@code ok}, or why the binding does not run, from the files (the plugin folders and the
     * bindings): a class provided for another event only is, for this binding, not provided.
     */
    String status(Binding b) {
        Optional<String> wrong = wrongEvent(b.sinkClass(), b.event());
        if (wrong.isPresent() && b.failure() == null) {
            return BindingStatus.MISSING + " for " + b.event() + ": " + wrong.get() + "; " + BindingStatus.whenMissing(b);
        }
        return BindingStatus.of(b, provides(b.sinkClass(), b.event()));
    }
}
