package dev.mailroot.server.plugins;

import dev.mailroot.sink.OnSubmissionSink;

/**
 * A sink class provided by a started plugin: one shared instance, the plugin's class loader to
 * call it under, and the plugin's {@link PluginCalls}, which every call enters (a plugin is
 * unloaded only once no call is running, and a call its plugin refuses is not made).
 *
 * @param pluginId  the providing plugin
 * @param className the sink class
 * @param instance  the instance every binding of this class uses: an {@link OnSubmissionSink}
 *                  and/or any of the protocol sink interfaces
 * @param loader    the plugin's class loader
 * @param calls     the calls running into the providing plugin (shared by its sinks)
 */
public record LoadedSink(String pluginId, String className, Object instance, ClassLoader loader,
                         PluginCalls calls) {

    /** The instance as an OnSubmission sink (only for bindings of that event, whose class was checked). */
    public OnSubmissionSink sink() {
        return (OnSubmissionSink) instance;
    }

    /** Whether the instance implements {@code type}. */
    public boolean implementsSink(Class<?> type) {
        return type.isInstance(instance);
    }

    /** The {@link #pluginId} of a sink that lives in the server's own class path. */
    public static final String LOCAL = "(local)";

    /** A sink that lives in the server's own class path (tests, built-ins). */
    public static LoadedSink local(Object sink) {
        return new LoadedSink(LOCAL, sink.getClass().getName(), sink, sink.getClass().getClassLoader(),
                new PluginCalls());
    }

    /** Whether this sink lives in the server's own class path rather than in a plugin. */
    public boolean isLocal() {
        return LOCAL.equals(pluginId);
    }
}
