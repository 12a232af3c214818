package dev.mailroot.server.plugins;

/**
 * Runs host code that calls into a plugin (its {@code Plugin} start and stop, its extensions'
 * constructors, its services) with the plugin's class loader as the thread's context class loader,
 * and puts the previous one back after, so {@code ServiceLoader} and Jakarta Mail lookups made by
 * plugin code find the plugin's own classes.
 */
final class ContextClassLoader {
    private ContextClassLoader() {
    }

    /** Code that calls into a plugin. */
    @FunctionalInterface
    interface Call<T, E extends Exception> {
        T call() throws E;
    }

    static <T, E extends Exception> T call(ClassLoader loader, Call<T, E> call) throws E {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return call.call();
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
