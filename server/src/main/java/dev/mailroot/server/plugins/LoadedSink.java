package dev.mailroot.server.plugins;

import dev.mailroot.sink.OnSubmissionSink;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink class provided by a started plugin: one shared instance, the plugin's class loader to
 * call it under, and how many calls into it are running (a plugin is unloaded only once that is 0).
 *
 * @param pluginId  the providing plugin
 * @param className the sink class
 * @param sink      the instance every binding of this class uses
 * @param loader    the plugin's class loader
 * @param inFlight  calls running now
 */
public record LoadedSink(String pluginId, String className, OnSubmissionSink sink, ClassLoader loader,
                         AtomicInteger inFlight) {

    /** A sink that lives in the server's own class path (tests, built-ins). */
    public static LoadedSink local(OnSubmissionSink sink) {
        return new LoadedSink("(local)", sink.getClass().getName(), sink, sink.getClass().getClassLoader(),
                new AtomicInteger());
    }
}
