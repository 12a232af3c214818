package dev.mailroot.server.plugins;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a piece of a plugin's own code that the host must wait for (a service's {@code start} or
 * {@code stop}, the plugin's {@code stop}) on a thread of its own, under the plugin's class loader,
 * for at most a time limit. Code that hangs keeps only that thread; the host goes on. Whatever it
 * throws, {@link Error}s included, comes back as the cause of an {@link ExecutionException}.
 */
final class PluginCode {
    private PluginCode() {
    }

    static <T> T run(String threadName, ClassLoader loader, Duration limit, Callable<T> code)
            throws ExecutionException, TimeoutException, InterruptedException {
        return start(threadName, loader, code).get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts {@code code} on a thread of its own under {@code loader}; the future completes when it ends, however late. */
    static <T> CompletableFuture<T> start(String threadName, ClassLoader loader, Callable<T> code) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(code.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, threadName);
        t.setDaemon(true);
        t.setContextClassLoader(loader);
        t.start();
        return result;
    }

    /** One line for what plugin code threw: its text, and where for a stack overflow. */
    static String describe(Throwable e) {
        if (e instanceof StackOverflowError) {
            StackTraceElement[] s = e.getStackTrace();
            return "overflowed the stack" + (s.length > 0 ? " in " + s[0] : "");
        }
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage()));
        if (e instanceof Error && e.getMessage() != null) {
            sb.insert(0, e.getClass().getName() + ": ");
        }
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            sb.append(" (").append(c.getMessage() == null ? c.toString() : c.getMessage()).append(')');
        }
        return sb.toString().replaceAll("\\s*\\n\\s*", " ");
    }
}
