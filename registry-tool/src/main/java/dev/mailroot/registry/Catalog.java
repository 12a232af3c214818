package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;

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

    /** {@code ok}, or why the binding does not run. */
    String status(Binding b) {
        if (b.failure() != null) {
            return "disabled by server after " + b.failure().failures() + " failures at " + b.failure().at() + ": "
                    + b.failure().cause();
        }
        if (byClass.get(b.sinkClass()) == null) {
            return "sink class not provided by any plugin in plugins/";
        }
        return "ok";
    }
}
