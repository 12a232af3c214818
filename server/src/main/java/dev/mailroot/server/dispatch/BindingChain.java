package dev.mailroot.server.dispatch;

import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingIndex;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.server.plugins.LoadedSink;
import dev.mailroot.server.plugins.SinkCatalog;
import dev.mailroot.sink.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The real {@link SinkChain}: the enabled OnSubmission bindings of the binding store, indexed by
 * rule, resolved against the sinks the plugins provide now. Watches the store file (every 500 ms)
 * and swaps in a new index when it changes; a file with a problem is reported ({@code MR4003}) and
 * the last good bindings stay in force. A binding whose sink class no loaded plugin provides is a
 * filter that does not filter: each time the bindings or the plugins change, every such enabled
 * binding is reported at WARN ({@code MR2005}) with what happens to its mail (its
 * {@code onMissing}: skipped, or waiting in the spool).
 */
public final class BindingChain implements SinkChain, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BindingChain.class);

    private final BindingStore store;
    private final Supplier<SinkCatalog> catalog;
    private final ScheduledExecutorService watcher;
    private final Map<String, BoundSink> bound = new ConcurrentHashMap<>();
    private final Set<String> reportedMissing = ConcurrentHashMap.newKeySet();
    private volatile BindingIndex index = BindingIndex.of(List.of(), Events.ON_SUBMISSION);
    /** The protocol events' indexes; an event with no enabled binding has none (the hot path's test). */
    private volatile Map<String, BindingIndex> protocol = Map.of();
    private volatile BindingRegistry current = BindingRegistry.empty();
    /** Whether the plugins present at start have loaded: before, a sink not loaded yet is not missing. */
    private volatile boolean ready;
    private volatile Object loadedStamp;

    public BindingChain(BindingStore store, Supplier<SinkCatalog> catalog) {
        this.store = store;
        this.catalog = catalog;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bindings-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the bindings now, then watches the file. */
    public void start() {
        reload();
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, 500, 500, TimeUnit.MILLISECONDS);
    }

    @Override
    public List<BoundSink> select(Submission submission) {
        return bind(index.select(RuleInput.of(submission.envelope(), sourceName(submission))));
    }

    /** The name a {@code SOURCE=} clause matches for a spooled message: its connector's, else its source's. */
    private static String sourceName(Submission submission) {
        if (submission instanceof SpooledSubmission s) {
            return s.entry().envelope().sourceName();
        }
        return submission.source().wireName();
    }

    /** Whether any enabled binding exists for the protocol event {@code event}: one volatile read and a map lookup. */
    public boolean bound(String event) {
        return protocol.containsKey(event);
    }

    /** Whether any protocol event has an enabled binding. */
    public boolean anyProtocol() {
        for (String e : protocol.keySet()) {
            if (Events.isProtocol(e)) {
                return true;
            }
        }
        return false;
    }

    /** The bindings of the protocol event {@code event} whose rule matches {@code in}, in run order. */
    public List<BoundSink> select(String event, RuleInput in) {
        BindingIndex i = protocol.get(event);
        return i == null ? List.of() : bind(i.select(in));
    }

    private List<BoundSink> bind(List<BindingIndex.Match> matches) {
        if (matches.isEmpty()) {
            return List.of();
        }
        SinkCatalog sinks = catalog.get();
        List<BoundSink> out = new ArrayList<>(matches.size());
        for (BindingIndex.Match m : matches) {
            Binding b = m.binding();
            LoadedSink loaded = sinks.sink(b.sinkClass())
                    .filter(l -> l.implementsSink(Events.sinkInterface(b.event()))).orElse(null);
            if (loaded == null) {
                reportMissing(b);
                out.add(BoundSink.missing(b));
                continue;
            }
            BoundSink cached = bound.get(b.id());
            if (cached == null || cached.binding() != b || cached.loaded() != loaded) {
                cached = new BoundSink(b, loaded);
                bound.put(b.id(), cached);
            }
            out.add(cached);
        }
        return out;
    }

    /**
     * The plugins changed: reads bindings a plugin has just registered at once (rather than at the
     * next look at the file), and says again which enabled bindings have no sink now.
     */
    public void sinksChanged() {
        reloadIfChanged();
        reportedMissing.clear();
        reportAllMissing();
    }

    /** The plugins present at start have loaded (or failed): from now on a binding without its sink is reported. */
    public void pluginsLoaded() {
        ready = true;
        sinksChanged();
    }

    /** The bindings in force (the last good read of the file). */
    public BindingRegistry bindings() {
        return current;
    }

    /** Whether a loaded plugin provides {@code binding}'s sink class now. */
    public boolean provided(Binding binding) {
        return catalog.get().sink(binding.sinkClass()).isPresent();
    }

    private void reportAllMissing() {
        if (!ready) {
            return;
        }
        SinkCatalog sinks = catalog.get();
        for (Binding b : current.bindings()) {
            if (b.enabled() && sinks.sink(b.sinkClass()).isEmpty()) {
                reportMissing(b);
            }
        }
    }

    /** Says once per change of bindings or plugins that {@code b} has no sink, and what that means for its mail. */
    private void reportMissing(Binding b) {
        if (ready && reportedMissing.add(b.id())) {
            log.warn("MR2005 binding '{}' {}: sink class {} is not provided by any loaded plugin; {}", b.name(), b.id(),
                    b.sinkClass(), BindingStatus.whenMissing(b));
        }
    }

    @Override
    public java.util.Optional<BoundSink> current(BoundSink stale) {
        return catalog.get().sink(stale.binding().sinkClass()).filter(l -> l != stale.loaded())
                .map(l -> new BoundSink(stale.binding(), l));
    }

    /** The number of enabled OnSubmission bindings in force. */
    public int size() {
        return index.size();
    }

    private void reloadIfChanged() {
        if (!Objects.equals(store.stamp(), loadedStamp)) {
            reload();
        }
    }

    private synchronized void reload() {
        Object stamp = store.stamp();
        try {
            BindingRegistry registry = store.read();
            BindingIndex submission = BindingIndex.of(registry.bindings(), Events.ON_SUBMISSION);
            Map<String, BindingIndex> events = new java.util.HashMap<>();
            for (String e : Events.VERDICT) {
                BindingIndex i = BindingIndex.of(registry.bindings(), e);
                if (i.size() > 0) {
                    events.put(e, i);
                }
            }
            index = submission;
            protocol = Map.copyOf(events);
            current = registry;
            bound.keySet().retainAll(registry.bindings().stream().map(Binding::id).toList());
            reportedMissing.clear();
            log.info("MR4004 bindings loaded from {}: {} enabled OnSubmission binding(s){} of {}", store.file().getFileName(),
                    index.size(), protocolCounts(), registry.bindings().size());
            reportAllMissing();
        } catch (BindingStoreException | RuntimeException e) {
            log.error("MR4003 {}; the last good bindings ({}) stay in force", e.getMessage(), index.size());
        }
        loadedStamp = stamp;
    }

    private String protocolCounts() {
        StringBuilder sb = new StringBuilder();
        for (String e : Events.VERDICT) {
            BindingIndex i = protocol.get(e);
            if (i != null) {
                sb.append(", ").append(i.size()).append(' ').append(e);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
