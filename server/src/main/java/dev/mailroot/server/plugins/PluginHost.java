package dev.mailroot.server.plugins;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.host.plugins.PluginAdmission;
import dev.mailroot.host.plugins.PluginChoice;
import dev.mailroot.host.plugins.PluginFolders;
import dev.mailroot.host.plugins.PluginManifest;
import dev.mailroot.sink.CommandResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loads the PF4J plugin jars of the plugin folders and keeps them in step with the folders while
 * the server runs (checked every 500 ms). Of several jars with one plugin id the highest version is
 * used ({@code MR4013} names them all); a jar is loaded once it has stopped changing; a newer
 * version copied in replaces the loaded one without a gap (the new one is started first, then the
 * old one unloaded); a removed jar is unloaded once its calls in flight have finished, and the
 * next version of it, if any, loaded at once. A jar that cannot be loaded is reported
 * ({@code MR4002}) and skipped until it changes; the others are not affected.
 *
 * <p>Each jar is copied to {@code mailroot/plugins-loaded/} and loaded from the copy, into a PF4J
 * manager of its own, on a thread of its own, within {@code loadTimeout} ({@code MR4012}): a plugin
 * whose constructor or {@code start} hangs, overflows the stack or throws an {@link Error} is named
 * and skipped, and delays neither start-up, nor intake, nor any other plugin. A jar whose code can
 * end the process ({@code System.exit}, {@code Runtime.halt}...) is refused ({@code MR4014}).
 *
 * <p>Plugin code run by the host (the plugin's {@code start} and {@code stop}, its sinks' and
 * services' constructors, its services' {@code start} and {@code stop}) runs with the plugin's class
 * loader as context class loader. Each plugin gets a {@link HostFirstClassLoader}.
 *
 * <p>The host's decisions are made on its own thread; dispatch reads the immutable
 * {@link SinkCatalog} snapshot.
 */
public final class PluginHost implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /**
     * @param loadTimeout how long loading one plugin may take (its own code included)
     * @param unloadWait  how long an unload waits for calls in flight before it goes ahead anyway
     */
    public record Limits(Duration loadTimeout, Duration unloadWait) {
    }

    /** How long a stopping server waits for each step of a plugin's unloading. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final PluginFolders folders;
    private final Path stagingDir;
    private final BindingStore store;
    private final ServiceEnvironment env;
    private final Limits limits;
    private final Comparator<PluginManifest> preference;
    private final ScheduledExecutorService thread;
    private final AtomicInteger staged = new AtomicInteger();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> initialLoad = new CompletableFuture<>();
    // the host thread's own state
    private final Map<String, LoadedPlugin> installed = new HashMap<>();
    private final Map<String, PluginLoad> loading = new HashMap<>();
    private final Map<Path, PluginFolders.Stamp> seen = new HashMap<>();
    private final Map<Path, PluginFolders.Stamp> failed = new HashMap<>();
    private final Map<Path, String> failedWhy = new HashMap<>();
    private final Map<Path, PluginManifest> manifests = new HashMap<>();
    private final Map<Path, PluginFolders.Stamp> manifestStamps = new HashMap<>();
    private final Map<String, String> reportedChoice = new HashMap<>();
    private int initialPending = -1;
    /** Publications whose retiring of the old version and start of the services are still running. */
    private int swapping;
    private Map<Path, PluginFolders.Jar> lastPresent = Map.of();
    private Map<Path, PluginFolders.Jar> lastSettled = Map.of();
    // published for other threads
    private volatile SinkCatalog catalog = SinkCatalog.empty();
    private volatile Map<String, LoadedPlugin> published = Map.of();
    private volatile List<JarState> states = List.of();

    /**
     * What the host makes of one jar in the plugin folders, for the admin endpoint and
     * {@code registry sinks}.
     *
     * @param jar      the file
     * @param folder   its folder's label
     * @param pluginId its plugin id, or null if unknown
     * @param version  its version, or null
     * @param state    {@code loaded}, {@code loading}, {@code not used}, {@code does not load} or {@code waiting}
     * @param detail   why, for the states that need it; else empty
     */
    public record JarState(Path jar, String folder, String pluginId, String version, String state, String detail) {
    }

    /**
     * @param folders    where plugin jars are, most preferred first
     * @param stagingDir where loaded copies are kept (emptied at start)
     * @param store      where plugins' default bindings are registered
     * @param env        what plugin services are given (folders, domains)
     * @param limits     time limits of loading and unloading
     */
    public PluginHost(PluginFolders folders, Path stagingDir, BindingStore store, ServiceEnvironment env, Limits limits) {
        this.folders = folders;
        this.stagingDir = stagingDir;
        this.store = store;
        this.env = env;
        this.limits = limits;
        this.preference = folders.preference();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plugin-host");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts loading every jar in the folders, then watches them. Returns at once: loading runs in
     * the background, see {@link #initialLoad()}.
     */
    public void start() throws IOException {
        Files.createDirectories(folders.primary());
        Files.createDirectories(stagingDir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(stagingDir)) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
        thread.execute(() -> scan(true));
        thread.scheduleWithFixedDelay(() -> scan(false), 500, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * Completes once every jar present at start is loaded (its services started), or failed, or past
     * its time limit: the moment mail may start to pass the sinks.
     */
    public CompletableFuture<Void> initialLoad() {
        return initialLoad;
    }

    /** Runs {@code listener} on the host thread each time the sinks available change. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** The sinks available now. */
    public SinkCatalog catalog() {
        return catalog;
    }

    /** Plugin ids loaded now. */
    public Set<String> loadedPlugins() {
        return new TreeSet<>(published.keySet());
    }

    /** Every jar in the plugin folders and what the host makes of it, as of the last scan. */
    public List<JarState> jars() {
        return states;
    }

    /**
     * Re-registers the loaded plugin {@code pluginId} ({@link dev.mailroot.bindings.Reregistration}): its
     * missing default bindings back, its server-disabled bindings enabled.
     *
     * @return what changed (empty: nothing to change), or empty if no plugin of that id is loaded
     */
    public Optional<List<String>> reregister(String pluginId) throws BindingStoreException, IOException {
        LoadedPlugin p = published.get(pluginId);
        if (p == null) {
            return Optional.empty();
        }
        Set<String> classes = p.sinks().stream().map(LoadedSink::className).collect(java.util.stream.Collectors.toSet());
        List<String> changes = new ArrayList<>();
        store.update(r -> {
            changes.clear();
            return dev.mailroot.bindings.Reregistration.apply(r, pluginId, p.defaults(), classes, changes);
        });
        return Optional.of(List.copyOf(changes));
    }

    /**
     * Runs an administrator's command on the service of {@code pluginId}, on the calling thread.
     *
     * @return the result, or empty if no loaded plugin of that id runs a service (or it is being unloaded)
     */
    public Optional<CommandResult> command(String pluginId, String command, Map<String, String> params) throws Exception {
        LoadedPlugin p = published.get(pluginId);
        return p == null ? Optional.empty() : p.command(command, params);
    }

    /** Commands run with a time limit: each on a thread of this pool, never the caller's (an admin endpoint thread). */
    private final java.util.concurrent.ThreadPoolExecutor commandThreads = new java.util.concurrent.ThreadPoolExecutor(0, 8, 60,
            TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "plugin-command");
        t.setDaemon(true);
        return t;
    });

    /**
     * As {@link #command(String, String, Map)}, but the caller waits at most {@code limit}: a command
     * that runs longer (a connector stuck on a dead server, a plugin that hangs) goes on in the
     * background and the answer says so, so a console page or an admin request never hangs with it.
     * At most 8 commands run at once; a ninth is refused while they do.
     */
    public Optional<CommandResult> command(String pluginId, String command, Map<String, String> params, Duration limit)
            throws Exception {
        java.util.concurrent.Future<Optional<CommandResult>> call;
        try {
            call = commandThreads.submit(() -> command(pluginId, command, params));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return Optional.of(CommandResult.failed("8 plugin commands are still running (one may hang): try again later"));
        }
        try {
            return call.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("MR4015 plugin '{}' command '{}' did not finish within {} s; it goes on in the background", pluginId,
                    command, limit.toSeconds());
            return Optional.of(CommandResult.failed("the command '" + command + "' of plugin '" + pluginId + "' did not finish within "
                    + limit.toSeconds() + " s; it goes on in the background (its result will be in the log)"));
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /**
     * Unloads every plugin, all at once. The server has stopped its queue first, so a call still
     * running now was abandoned (past its time limit, or ending the process): each plugin waits
     * only a few seconds for its calls.
     */
    @Override
    public void close() {
        commandThreads.shutdownNow();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loading.values().forEach(PluginLoad::abandon);
        List<Thread> retiring = new ArrayList<>();
        Duration wait = limits.unloadWait().compareTo(STOP_WAIT) < 0 ? limits.unloadWait() : STOP_WAIT;
        for (LoadedPlugin p : installed.values()) {
            Thread t = new Thread(() -> p.retire("the server is stopping", wait, wait), "plugin-unload-" + p.id());
            t.setDaemon(true);
            t.start();
            retiring.add(t);
        }
        installed.clear();
        long deadline = System.nanoTime() + wait.multipliedBy(3).toNanos();
        for (Thread t : retiring) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void scan(boolean initial) {
        try {
            Map<Path, PluginFolders.Jar> present = folders.list();
            Map<Path, PluginFolders.Jar> settled = new TreeMap<>();
            for (PluginFolders.Jar j : present.values()) {
                if (initial || j.stamp().equals(seen.get(j.path()))) {
                    settled.put(j.path(), j);
                }
            }
            seen.clear();
            present.values().forEach(j -> seen.put(j.path(), j.stamp()));
            failed.keySet().removeIf(p -> present.get(p) == null || !present.get(p).stamp().equals(failed.get(p)));
            failedWhy.keySet().retainAll(failed.keySet());
            manifests.keySet().retainAll(present.keySet());
            manifestStamps.keySet().retainAll(present.keySet());
            List<PluginManifest> admitted = new ArrayList<>();
            for (PluginFolders.Jar j : settled.values()) {
                PluginManifest m = failed.containsKey(j.path()) ? null : manifest(j);
                if (m != null) {
                    admitted.add(m);
                }
            }
            Map<String, PluginChoice> choices = folders.choose(admitted);
            Set<String> ids = new TreeSet<>(choices.keySet());
            ids.addAll(installed.keySet());
            for (String id : ids) {
                PluginChoice choice = choices.get(id);
                reportChoice(id, choice);
                decide(id, choice == null ? null : choice.used(), present, settled, initial);
            }
            lastPresent = present;
            lastSettled = settled;
            publishStates();
        } catch (Throwable e) {
            // anything at all: an exception escaping here would end the periodic scan for good
            log.error("MR4002 scanning the plugin folders {} failed: {}", folders.folders(), e.toString(), e);
        } finally {
            if (initial) {
                initialPending = loading.size();
                checkInitialLoad();
            }
        }
    }

    /** The manifest of a settled jar (cached while it does not change), or null if it is not admitted as a plugin. */
    private PluginManifest manifest(PluginFolders.Jar j) {
        if (j.stamp().equals(manifestStamps.get(j.path()))) {
            return manifests.get(j.path());
        }
        PluginAdmission a = PluginAdmission.of(j.path());
        if (!a.admitted()) {
            fail(j, a.refusal(), null);
            return null;
        }
        manifests.put(j.path(), a.manifest());
        manifestStamps.put(j.path(), j.stamp());
        return a.manifest();
    }

    /** Says which of several jars of one plugin is used, and why the others are not; once per change. */
    private void reportChoice(String id, PluginChoice choice) {
        if (choice == null || choice.notUsed().isEmpty()) {
            reportedChoice.remove(id);
            return;
        }
        String key = choice.candidates().stream().map(m -> m.jar() + "@" + m.version()).toList().toString();
        if (key.equals(reportedChoice.put(id, key))) {
            return;
        }
        PluginManifest used = choice.used();
        List<String> others = new ArrayList<>();
        for (PluginManifest m : choice.notUsed()) {
            others.add(m.jar() + " (" + m.version() + ", " + choice.whyNotUsed(m) + ")");
        }
        log.warn("MR4013 plugin '{}' is in {} jars: {} ({}) is used; not used: {}. Remove the jars not used.", id,
                choice.candidates().size(), used.jar(), used.version(), String.join("; ", others));
    }

    /** Loads, replaces or unloads plugin {@code id} so that {@code best} (the jar the duplicate policy chose, or null) runs. */
    private void decide(String id, PluginManifest best, Map<Path, PluginFolders.Jar> present,
                        Map<Path, PluginFolders.Jar> settled, boolean initial) {
        if (loading.containsKey(id)) {
            return; // decided again when it has finished
        }
        LoadedPlugin current = installed.get(id);
        if (current == null) {
            if (best != null) {
                startLoad(best, present.get(best.jar()), null);
            }
            return;
        }
        PluginFolders.Jar onDisk = present.get(current.jar().path());
        if (onDisk != null && onDisk.stamp().equals(current.jar().stamp())) {
            if (best != null && !best.jar().equals(current.jar().path()) && preference.compare(best, current.manifest()) < 0) {
                startLoad(best, present.get(best.jar()), current);
            }
        } else if (onDisk != null) {
            // changed in place: once settled, its new content (whatever its version) or a higher
            // version replaces it if it loads; a lower one does not take over because the new
            // content would not load
            if (best != null && (settled.containsKey(onDisk.path()) || failed.containsKey(onDisk.path()))
                    && (best.jar().equals(onDisk.path()) || preference.compare(best, current.manifest()) < 0)) {
                startLoad(best, present.get(best.jar()), current);
            }
        } else if (best != null) {
            startLoad(best, present.get(best.jar()), current);
        } else {
            unload(current, "its jar was removed");
        }
    }

    private void startLoad(PluginManifest m, PluginFolders.Jar jar, LoadedPlugin replacing) {
        String name = jar.path().getFileName().toString();
        Path copy = stagingDir.resolve(name.substring(0, name.length() - 4) + "-" + staged.incrementAndGet() + ".jar");
        PluginLoad attempt = new PluginLoad(m, jar, replacing, copy, limits.loadTimeout());
        loading.put(m.pluginId(), attempt);
        attempt.result().whenComplete((p, e) -> execute(() -> finished(attempt, p, e)));
        thread.schedule(() -> timedOut(attempt), limits.loadTimeout().toMillis(), TimeUnit.MILLISECONDS);
        attempt.start();
    }

    private void execute(Runnable r) {
        try {
            thread.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private void timedOut(PluginLoad attempt) {
        if (!attempt.abandon()) {
            return; // finished in time
        }
        loading.remove(attempt.manifest().pluginId(), attempt);
        fail(attempt.jar(), "loading did not finish within " + limits.loadTimeout().toSeconds()
                + " s (the plugin's constructor or start hangs)", attempt.replacing(), "MR4012");
        publishStates();
        checkInitialLoad();
    }

    private void finished(PluginLoad attempt, LoadedPlugin p, Throwable e) {
        if (loading.get(attempt.manifest().pluginId()) != attempt) {
            return; // abandoned at its time limit, or the host is closing
        }
        loading.remove(attempt.manifest().pluginId());
        try {
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                fail(attempt.jar(), PluginCode.describe(cause), attempt.replacing(),
                        cause instanceof PluginLoad.Refused ? "MR4014" : "MR4002");
            } else if (!unchanged(attempt.jar())) {
                // removed or replaced while it loaded: never published (no default bindings, no
                // services); the next scan decides with what is there now
                retire(p, "its jar was removed or changed while it loaded");
            } else {
                swap(p);
            }
        } catch (Throwable t) {
            log.error("MR4002 plugin jar {} loaded but could not be published: {}", attempt.jar().path(), t.toString(), t);
        } finally {
            publishStates();
            checkInitialLoad();
        }
    }

    /** Whether {@code jar} is still in its folder as it was when its load began. */
    private static boolean unchanged(PluginFolders.Jar jar) {
        try {
            return jar.stamp().equals(PluginFolders.Stamp.of(jar.path()));
        } catch (IOException e) {
            return false;
        }
    }

    /** Publishes a started plugin in place of its loaded version (if any), then retires that one and starts its services. */
    private void swap(LoadedPlugin p) {
        LoadedPlugin old = installed.put(p.id(), p);
        SinkCatalog next = old == null ? catalog : catalog.without(old.calls());
        List<LoadedSink> accepted = new ArrayList<>();
        for (LoadedSink s : p.sinks()) {
            Optional<LoadedSink> other = next.sink(s.className());
            if (other.isPresent()) {
                log.warn("MR4008 plugin '{}' provides sink class {}, which plugin '{}' already provides; "
                        + "the first one stays in use", p.id(), s.className(), other.get().pluginId());
            } else {
                accepted.add(s);
            }
        }
        catalog = next.with(accepted);
        publishPlugins();
        log.info("MR4001 plugin {} loaded: sinks {}{}", p.describe(), accepted.stream().map(LoadedSink::className).toList(),
                old == null ? "" : "; it replaces " + old.describe());
        registerDefaults(p.id(), p.defaults());
        changed();
        swapping++;
        Thread t = new Thread(() -> {
            try {
                if (old != null) {
                    old.retire("replaced by " + p.manifest().version() + " from " + p.jar().path(), limits.unloadWait(),
                            limits.loadTimeout());
                }
                p.startServices(env, limits.loadTimeout());
            } finally {
                execute(() -> {
                    swapping--;
                    checkInitialLoad();
                });
            }
        }, "plugin-swap-" + p.id());
        t.setDaemon(true);
        t.start();
    }

    private void unload(LoadedPlugin p, String why) {
        installed.remove(p.id());
        catalog = catalog.without(p.calls());
        // a message whose chain was chosen before the catalog changed may still reach one of these
        // sinks: from now on such a call is refused (and skipped like a missing sink), not made
        p.calls().close();
        publishPlugins();
        changed();
        retire(p, why);
    }

    private Thread retire(LoadedPlugin p, String why) {
        Thread t = new Thread(() -> p.retire(why, limits.unloadWait(), limits.loadTimeout()), "plugin-unload-" + p.id());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void fail(PluginFolders.Jar jar, String why, LoadedPlugin stays) {
        fail(jar, why, stays, "MR4002");
    }

    private void fail(PluginFolders.Jar jar, String why, LoadedPlugin stays, String event) {
        failed.put(jar.path(), jar.stamp());
        failedWhy.put(jar.path(), why);
        log.error("{} plugin jar {} ({}) cannot be loaded and is skipped until the file changes: {}{}", event, jar.path(),
                jar.folder(), why, stays == null || !Files.exists(stays.jar().path()) ? ""
                        : "; plugin " + stays.describe() + " stays loaded");
    }

    private void checkInitialLoad() {
        if (initialPending < 0 || initialLoad.isDone()) {
            return;
        }
        if (loading.isEmpty() && swapping == 0) {
            initialLoad.complete(null);
        }
    }

    private void changed() {
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.warn("a listener of plugin changes failed: {}", e.toString());
            }
        }
    }

    private void publishPlugins() {
        published = Map.copyOf(installed);
    }

    /** Publishes what the host makes of each jar of the last scan, as it stands now. */
    private void publishStates() {
        Map<Path, PluginFolders.Jar> settled = lastSettled;
        List<JarState> out = new ArrayList<>();
        for (PluginFolders.Jar j : lastPresent.values()) {
            PluginManifest m = manifests.get(j.path());
            String id = m == null ? null : m.pluginId();
            String version = m == null ? null : m.version();
            LoadedPlugin p = id == null ? null : installed.get(id);
            PluginLoad l = id == null ? null : loading.get(id);
            if (failed.containsKey(j.path())) {
                out.add(new JarState(j.path(), j.folder(), id, version, "does not load", failedWhy.getOrDefault(j.path(), "")));
            } else if (!settled.containsKey(j.path())) {
                out.add(new JarState(j.path(), j.folder(), id, version, "waiting", "still being written"));
            } else if (p != null && p.jar().path().equals(j.path()) && p.jar().stamp().equals(j.stamp())) {
                out.add(new JarState(j.path(), j.folder(), id, version, "loaded", ""));
            } else if (l != null && l.jar().path().equals(j.path())) {
                out.add(new JarState(j.path(), j.folder(), id, version, "loading", ""));
            } else if (p != null) {
                out.add(new JarState(j.path(), j.folder(), id, version, "not used",
                        "plugin '" + id + "' " + p.manifest().version() + " from " + p.jar().path() + " is used"));
            } else {
                out.add(new JarState(j.path(), j.folder(), id, version, "waiting", ""));
            }
        }
        states = List.copyOf(out);
    }

    private void registerDefaults(String pluginId, List<Binding> defaults) {
        if (defaults.isEmpty()) {
            return;
        }
        List<String> added = new ArrayList<>();
        try {
            store.update(r -> {
                BindingRegistry out = r;
                for (Binding d : defaults) {
                    if (out.registeredDefaults().contains(d.id())) {
                        continue; // registered before; if it is gone now, the administrator removed it
                    }
                    if (out.byId(d.id()).isEmpty()) {
                        out = out.with(d);
                        added.add(d.name() + " " + d.id());
                    }
                    out = out.withRegisteredDefault(d.id());
                }
                return out;
            });
        } catch (BindingStoreException | IOException e) {
            log.error("MR4007 plugin '{}': cannot register its default bindings: {}", pluginId, e.getMessage());
            return;
        }
        if (!added.isEmpty()) {
            log.info("MR4006 plugin '{}': registered default binding(s) {}", pluginId, added);
        }
    }
}
