package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStatus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** {@code ok}, or why the binding does not run, from the files (the plugin folders and the bindings). */
    String status(Binding b) {
        return BindingStatus.of(b, byClass.get(b.sinkClass()) != null);
    }
}
