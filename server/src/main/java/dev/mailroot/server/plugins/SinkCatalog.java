package dev.mailroot.server.plugins;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The sink classes available now, by class name: an immutable snapshot, replaced as a whole when
 * a plugin is loaded or unloaded, so dispatch never sees a half-loaded plugin.
 */
public final class SinkCatalog {
    private static final SinkCatalog EMPTY = new SinkCatalog(Map.of());

    private final Map<String, LoadedSink> byClass;

    private SinkCatalog(Map<String, LoadedSink> byClass) {
        this.byClass = Map.copyOf(byClass);
    }

    public static SinkCatalog empty() {
        return EMPTY;
    }

    public static SinkCatalog of(Collection<LoadedSink> sinks) {
        Map<String, LoadedSink> m = new HashMap<>();
        for (LoadedSink s : sinks) {
            m.putIfAbsent(s.className(), s);
        }
        return new SinkCatalog(m);
    }

    public Optional<LoadedSink> sink(String className) {
        return Optional.ofNullable(byClass.get(className));
    }

    public Collection<LoadedSink> sinks() {
        return byClass.values();
    }

    SinkCatalog with(Collection<LoadedSink> added) {
        Map<String, LoadedSink> m = new HashMap<>(byClass);
        for (LoadedSink s : added) {
            m.putIfAbsent(s.className(), s);
        }
        return new SinkCatalog(m);
    }

    /** Without the sinks of the plugin whose calls are {@code calls} (one loaded version of it). */
    SinkCatalog without(PluginCalls calls) {
        Map<String, LoadedSink> m = new HashMap<>(byClass);
        m.values().removeIf(s -> s.calls() == calls);
        return new SinkCatalog(m);
    }
}
