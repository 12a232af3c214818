package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts each binding's consecutive failures (an exception or an overrun); a success resets the
 * count. At {@link #DISABLE_AFTER} the binding is disabled in the binding store, with when and why,
 * so that {@code registry enum} shows it and the dispatcher stops calling it at the next reload.
 * Thread-safe; the store is written on a thread of its own so workers never wait for it.
 */
public final class BindingHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BindingHealth.class);

    /** Consecutive failures after which the server disables a binding. */
    public static final int DISABLE_AFTER = 5;

    private final BindingStore store;
    private final Clock clock;
    private final Map<String, AtomicInteger> consecutive = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "binding-health");
        t.setDaemon(true);
        return t;
    });

    /** @param store where disabled bindings are recorded; null to only count (tests with in-process sinks) */
    public BindingHealth(BindingStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A successful call of {@code binding}: its count of consecutive failures starts again. */
    public void succeeded(Binding binding) {
        AtomicInteger n = consecutive.get(binding.id());
        if (n != null) {
            n.set(0);
        }
    }

    /** A failed call of {@code binding}; public for the protocol events. */
    public void failed(Binding binding, String cause) {
        if (dev.mailroot.bindings.BindingStatus.tempfailOnError(binding)) {
            // disabling it would let through the mail its administrator chose to hold while it fails
            return;
        }
        int n = consecutive.computeIfAbsent(binding.id(), k -> new AtomicInteger()).incrementAndGet();
        if (n == DISABLE_AFTER) {
            log.error("MR2004 binding '{}' {} disabled after {} consecutive failures; last: {} "
                    + "(re-enable it with 'registry enable' or 'registry reregister')", binding.name(), binding.id(), n, cause);
            Binding.Failure failure = new Binding.Failure(clock.instant(), n, cause);
            if (store != null) {
                writer.execute(() -> disable(binding, failure));
            }
        }
    }

    /**
     * Disables a binding at once, with {@code cause} recorded in the store as the reason shown by
     * {@code registry enum} (poison-message protection, or plugin code that ended the process).
     * Returns when the store is written.
     *
     * @return whether the store now says so (false without a store, or if it could not be written)
     */
    public boolean disableNow(String bindingId, String bindingName, int failures, String cause) {
        if (store == null) {
            return false;
        }
        try {
            store.update(r -> r.change(bindingId, b -> b.withFailure(new Binding.Failure(clock.instant(), failures, cause))));
            consecutive.remove(bindingId);
            return true;
        } catch (BindingStoreException | IOException | RuntimeException e) {
            log.error("MR2004 cannot record that binding '{}' {} is disabled ({}): {}", bindingName, bindingId, cause,
                    e.getMessage());
            return false;
        }
    }

    /** Consecutive failures of a binding so far. */
    public int failures(String bindingId) {
        AtomicInteger n = consecutive.get(bindingId);
        return n == null ? 0 : n.get();
    }

    private void disable(Binding binding, Binding.Failure failure) {
        try {
            store.update(r -> r.change(binding.id(), b -> b.withFailure(failure)));
            consecutive.remove(binding.id());
        } catch (BindingStoreException | IOException e) {
            log.error("MR2004 cannot record that binding {} is disabled: {}", binding.id(), e.getMessage());
        }
    }

    @Override
    public void close() {
        writer.shutdown();
    }
}
