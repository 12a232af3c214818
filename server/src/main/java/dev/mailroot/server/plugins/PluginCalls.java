package dev.mailroot.server.plugins;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls running into one plugin's sinks, and whether new ones may start. Dispatch
 * {@link #enter() enters} before each call and {@link #exit() exits} after it; the host
 * {@link #close() closes} the plugin's calls when its jar goes, then unloads it once
 * {@link #running()} is 0. A call refused by a closed plugin never starts, so no sink is ever
 * called after its plugin was unloaded. Thread-safe.
 */
public final class PluginCalls {
    private static final int CLOSED = Integer.MIN_VALUE;

    /** The sign bit says closed; the other bits count the calls running. */
    private final AtomicInteger state = new AtomicInteger();

    /** @return true if the call may go ahead (then {@link #exit()} must follow), false if the plugin is going */
    public boolean enter() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Ends a call that {@link #enter()} let in. */
    public void exit() {
        state.decrementAndGet();
    }

    /** Refuses every call from now on; the ones running go on to their end. */
    void close() {
        state.getAndUpdate(s -> s | CLOSED);
    }

    /** Calls running now. */
    public int running() {
        return state.get() & ~CLOSED;
    }
}
