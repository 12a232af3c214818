package dev.mailroot.filters;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The filters in force, shared by {@link FiltersService} (which reads {@code conf/filters.yaml} and
 * puts each good version here) and the sinks (which read it at every call).
 *
 * <p>Why a static: the server makes the service and each sink class separately, with PF4J's
 * extension factory and a no-argument constructor, and hands them nothing in common (the POP3
 * connector needs nothing shared: its sink is stateless). A static field of a class of this plugin
 * lives in the plugin's own class loader, so it is shared by this plugin's extensions only, for
 * one load of the jar: a new version gets a fresh one. Tests do not use it; they hand the sinks a
 * {@link Supplier} of their own.
 */
final class CurrentFilters {
    private static final AtomicReference<Filters> CURRENT = new AtomicReference<>();

    private CurrentFilters() {
    }

    /** The filters in force: the last good configuration, or the defaults before the service has read one. */
    static Filters get() {
        Filters f = CURRENT.get();
        if (f == null) {
            CURRENT.compareAndSet(null, Filters.defaults());
            f = CURRENT.get();
        }
        return f;
    }

    /** Puts {@code filters} in force; returns the ones they replace (null if none). */
    static Filters set(Filters filters) {
        return CURRENT.getAndSet(filters);
    }

    /** The supplier the sinks' public constructors use. */
    static Supplier<Filters> supplier() {
        return CurrentFilters::get;
    }
}
