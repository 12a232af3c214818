package dev.mailroot.server.plugins;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.bindings.Versions;
import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;
import dev.mailroot.sink.OnSubmissionSink;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loads the PF4J plugin jars in {@code plugins/} and keeps them in step with the folder while the
 * server runs: a jar dropped in is loaded and started once it has stopped changing (checked every
 * 500 ms), a jar removed is unloaded once its calls in flight have finished (no new call into it
 * starts meanwhile, see {@link PluginCalls}), a jar replaced is unloaded and the new one loaded. A jar that cannot be loaded is reported ({@code MR4002}) and
 * skipped until it changes; the others are not affected.
 *
 * <p>Each jar is copied to {@code mailroot/plugins-loaded/} and loaded from the copy, so a jar
 * still being written, or deleted while in use, never breaks a running plugin.
 *
 * <p>Plugin code run by the host (the plugin's {@code start} and {@code stop}, its sinks' and
 * services' constructors) runs with the plugin's class loader as context class loader. Each plugin
 * gets a {@link HostFirstClassLoader}: its own classes first, except the ones the server shares.
 *
 * <p>PF4J is not thread-safe: every call into the plugin manager happens on this host's own
 * thread. Dispatch reads the immutable {@link SinkCatalog} snapshot.
 */
public final class PluginHost implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** The version plugins' {@code Plugin-Requires} is checked against. */
    public static final String SYSTEM_VERSION = Versions.MAILROOT;

    private record Stamp(long size, long modified) {
    }

    private record Installed(String pluginId, String version, Path staged, Stamp stamp, ClassLoader loader,
                             PluginCalls calls, List<LoadedSink> sinks, List<RunningService> services) {
    }

    private final Path pluginsDir;
    private final Path stagingDir;
    private final BindingStore store;
    private final ServiceEnvironment env;
    private final Duration unloadWait;
    private final JarPluginManager manager;
    private final ScheduledExecutorService thread;
    private final Map<Path, Installed> installed = new HashMap<>();
    private final Map<Path, Stamp> failed = new HashMap<>();
    private final Map<Path, Stamp> seen = new HashMap<>();
    private final AtomicInteger staged = new AtomicInteger();
    private volatile SinkCatalog catalog = SinkCatalog.empty();
    private volatile Map<String, RunningService> services = Map.of();

    /**
     * @param pluginsDir the drop-in folder
     * @param stagingDir where loaded copies are kept (emptied at start)
     * @param store      where plugins' default bindings are registered
     * @param env        what plugin services are given (folders, domains)
     * @param unloadWait how long an unload waits for calls in flight before it goes ahead anyway
     */
    public PluginHost(Path pluginsDir, Path stagingDir, BindingStore store, ServiceEnvironment env, Duration unloadWait) {
        this.pluginsDir = pluginsDir;
        this.stagingDir = stagingDir;
        this.store = store;
        this.env = env;
        this.unloadWait = unloadWait;
        this.manager = HostFirstClassLoader.newManager(stagingDir);
        this.manager.setSystemVersion(SYSTEM_VERSION);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plugin-host");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads every jar in the folder now, then watches the folder. */
    public void start() throws IOException {
        Files.createDirectories(pluginsDir);
        Files.createDirectories(stagingDir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(stagingDir)) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
        try {
            thread.submit(() -> scan(true)).get();
        } catch (Exception e) {
            throw new IOException("loading plugins failed", e);
        }
        thread.scheduleWithFixedDelay(() -> scan(false), 500, 500, TimeUnit.MILLISECONDS);
    }

    /** The sinks available now. */
    public SinkCatalog catalog() {
        return catalog;
    }

    /** Unloads every plugin (waiting for calls in flight, within the unload wait). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the host thread is gone: the manager is ours alone now
        for (Path jar : new ArrayList<>(installed.keySet())) {
            unload(jar, "the server is stopping");
        }
    }

    private void scan(boolean initial) {
        try {
            Map<Path, Stamp> present = listJars();
            for (Path gone : new ArrayList<>(installed.keySet())) {
                if (!present.containsKey(gone)) {
                    unload(gone, "its jar was removed");
                }
            }
            failed.keySet().retainAll(present.keySet());
            seen.keySet().retainAll(present.keySet());
            for (Map.Entry<Path, Stamp> e : present.entrySet()) {
                Path jar = e.getKey();
                Stamp stamp = e.getValue();
                Installed current = installed.get(jar);
                if ((current != null && current.stamp().equals(stamp)) || stamp.equals(failed.get(jar))) {
                    continue;
                }
                if (!initial && !stamp.equals(seen.get(jar))) {
                    seen.put(jar, stamp); // changed since the last look: wait until it stops changing
                    continue;
                }
                if (current != null) {
                    unload(jar, "its jar was replaced");
                }
                load(jar, stamp);
            }
        } catch (RuntimeException | IOException e) {
            log.error("MR4002 scanning {} failed: {}", pluginsDir, e.toString());
        }
    }

    /** The jars in the folder, by name, so that of two jars with one plugin id the same one always wins. */
    private Map<Path, Stamp> listJars() throws IOException {
        Map<Path, Stamp> jars = new java.util.TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pluginsDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!isPluginJarName(name)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        jars.put(p, new Stamp(a.size(), a.lastModifiedTime().toMillis()));
                    }
                } catch (IOException e) {
                    // vanished between listing and reading: the next scan sees it gone
                }
            }
        }
        return jars;
    }

    private void load(Path jar, Stamp stamp) {
        String name = jar.getFileName().toString();
        Path copy = stagingDir.resolve(name.substring(0, name.length() - 4) + "-" + staged.incrementAndGet() + ".jar");
        String pluginId = null;
        ClassLoader loader = null;
        try {
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            String id = manager.loadPlugin(copy);
            pluginId = id;
            loader = manager.getPluginClassLoader(id);
            reportBundledSharedClasses(id, name, copy);
            PluginState state = ContextClassLoader.call(loader, () -> manager.startPlugin(id));
            PluginWrapper wrapper = manager.getPlugin(id);
            if (state != PluginState.STARTED) {
                throw notStarted(wrapper, state);
            }
            PluginCalls calls = new PluginCalls();
            List<Binding> defaults = new ArrayList<>();
            List<LoadedSink> sinks = createSinks(id, loader, calls, defaults);
            String version = wrapper.getDescriptor().getVersion();
            List<RunningService> started = startServices(id, loader, calls);
            installed.put(jar, new Installed(id, version, copy, stamp, loader, calls, sinks, started));
            catalog = catalog.with(sinks);
            publishServices();
            log.info("MR4001 plugin '{}' {} loaded from {}: sinks {}{}", id, version, name,
                    sinks.stream().map(LoadedSink::className).toList(),
                    started.isEmpty() ? "" : ", services " + started.stream().map(r -> r.service().getClass().getName()).toList());
            registerDefaults(id, defaults);
        } catch (Exception | LinkageError e) {
            failed.put(jar, stamp);
            log.error("MR4002 plugin jar {} cannot be loaded and is skipped (replace the file to retry): {}", name,
                    oneLine(e).replace(copy.toString(), jar.toString()));
            if (pluginId != null) {
                String id = pluginId;
                try {
                    ContextClassLoader.call(loader, () -> manager.unloadPlugin(id));
                } catch (RuntimeException | LinkageError ignored) {
                    // it may not have got far enough to be unloaded
                }
            }
            deleteQuietly(copy);
        }
    }

    private IllegalStateException notStarted(PluginWrapper wrapper, PluginState state) {
        String pluginId = wrapper.getPluginId();
        String requires = wrapper.getDescriptor().getRequires();
        if (state == PluginState.DISABLED && requires != null && !requires.isBlank() && !"*".equals(requires.strip())
                && !manager.getVersionManager().checkVersionConstraint(SYSTEM_VERSION, requires)) {
            return new IllegalStateException("plugin '" + pluginId + "' requires Mailroot " + requires
                    + "; this is " + SYSTEM_VERSION);
        }
        Throwable why = wrapper.getFailedException();
        return new IllegalStateException("plugin '" + pluginId + "' is " + state
                + (why == null ? "" : ": " + why.getMessage()
                + (why.getCause() != null ? " (" + why.getCause() + ")" : "")));
    }

    /** One instance of each sink class of the plugin, made under its class loader; its default bindings go to {@code defaults}. */
    private List<LoadedSink> createSinks(String pluginId, ClassLoader loader, PluginCalls calls, List<Binding> defaults) {
        List<LoadedSink> sinks = new ArrayList<>();
        for (Class<? extends OnSubmissionSink> cls : manager.getExtensionClasses(OnSubmissionSink.class, pluginId)) {
            OnSubmissionSink sink;
            try {
                sink = (OnSubmissionSink) ContextClassLoader.call(loader, () -> manager.getExtensionFactory().create(cls));
            } catch (RuntimeException e) {
                sink = null;
            }
            if (sink == null) {
                throw new IllegalStateException("cannot create an instance of sink " + cls.getName()
                        + ": it needs a public no-argument constructor that does not throw");
            }
            if (catalog.sink(cls.getName()).isPresent()) {
                log.warn("MR4008 plugin '{}' provides sink class {}, which plugin '{}' already provides; "
                        + "the first one stays in use", pluginId, cls.getName(), catalog.sink(cls.getName()).get().pluginId());
                continue;
            }
            sinks.add(new LoadedSink(pluginId, cls.getName(), sink, loader, calls));
            try {
                defaults.addAll(DefaultBindings.of(cls));
            } catch (DefaultBindings.InvalidDeclaration e) {
                log.warn("MR4007 plugin '{}': default binding not registered: {}", pluginId, e.getMessage());
            }
        }
        return sinks;
    }

    /** Says once per load that the jar carries classes the server provides: they are ignored, the server's are used. */
    private void reportBundledSharedClasses(String pluginId, String jarName, Path copy) {
        Set<String> bundled;
        try {
            bundled = HostFirstClassLoader.bundledSharedClasses(copy);
        } catch (IOException e) {
            return; // PF4J has just read the jar; if it cannot be listed now, loading it will say why
        }
        if (!bundled.isEmpty()) {
            List<String> some = bundled.stream().limit(5).toList();
            log.warn("MR4011 plugin '{}' ({}) bundles {} class(es) that the server provides ({}{}); the server's are used "
                            + "and the jar's copies are ignored. Build the plugin with the sink API, PF4J, SLF4J and Jakarta "
                            + "Mail in provided scope.", pluginId, jarName, bundled.size(), String.join(", ", some),
                    bundled.size() > some.size() ? ", ..." : "");
        }
    }

    private List<RunningService> startServices(String pluginId, ClassLoader loader, PluginCalls calls) {
        List<RunningService> started = new ArrayList<>();
        for (Class<? extends MailrootService> cls : manager.getExtensionClasses(MailrootService.class, pluginId)) {
            try {
                MailrootService service = (MailrootService) ContextClassLoader.call(loader,
                        () -> manager.getExtensionFactory().create(cls));
                if (service == null) {
                    throw new IllegalStateException("it needs a public no-argument constructor");
                }
                RunningService running = new RunningService(pluginId, service,
                        new HostServiceContext(pluginId, service.dataFolder(), env, loader), loader, calls);
                running.start();
                started.add(running);
                log.info("MR4010 plugin '{}': service {} started", pluginId, cls.getName());
            } catch (Exception | LinkageError e) {
                log.error("MR4009 plugin '{}': service {} failed to start and is not running: {}", pluginId, cls.getName(),
                        oneLine(e), e);
            }
        }
        return started;
    }

    private void publishServices() {
        Map<String, RunningService> m = new HashMap<>();
        for (Installed i : installed.values()) {
            for (RunningService r : i.services()) {
                m.putIfAbsent(i.pluginId(), r);
            }
        }
        services = Map.copyOf(m);
    }

    /**
     * Runs an administrator's command on the service of {@code pluginId}, on the calling thread.
     *
     * @return the result, or empty if no loaded plugin of that id runs a service (or it is being unloaded)
     */
    public java.util.Optional<CommandResult> command(String pluginId, String command, Map<String, String> params)
            throws Exception {
        RunningService r = services.get(pluginId);
        return r == null ? java.util.Optional.empty() : r.command(command, params);
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

    /** Whether a file in {@code plugins/} is taken as a plugin: {@code *.jar} in any case, not hidden. */
    static boolean isPluginJarName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".jar") && !name.startsWith(".");
    }

    private void unload(Path jar, String why) {
        Installed p = installed.remove(jar);
        if (p == null) {
            return;
        }
        catalog = catalog.without(p.pluginId());
        // a message whose chain was chosen before the catalog changed may still reach one of these
        // sinks: from now on such a call is refused (and skipped like a missing sink), not made
        p.calls().close();
        publishServices();
        for (RunningService r : p.services()) {
            try {
                r.stop();
            } catch (Exception | LinkageError e) {
                log.warn("plugin '{}': service {} did not stop cleanly: {}", p.pluginId(),
                        r.service().getClass().getName(), oneLine(e));
            }
            r.context().shutdown(10);
        }
        awaitCalls(p);
        try {
            ContextClassLoader.call(p.loader(), () -> {
                manager.stopPlugin(p.pluginId());
                return manager.unloadPlugin(p.pluginId());
            });
        } catch (RuntimeException | LinkageError e) {
            log.warn("plugin '{}' did not stop cleanly: {}", p.pluginId(), oneLine(e));
        }
        deleteQuietly(p.staged());
        log.info("MR4005 plugin '{}' {} unloaded: {}", p.pluginId(), p.version(), why);
    }

    /** Waits, within the unload wait, until no call into the plugin is running. */
    private void awaitCalls(Installed p) {
        long deadline = System.nanoTime() + unloadWait.toNanos();
        while (p.calls().running() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int stillRunning = p.calls().running();
        if (stillRunning > 0) {
            log.warn("plugin '{}': {} call(s) still running after {} s; unloading anyway", p.pluginId(), stillRunning,
                    unloadWait.toSeconds());
        }
    }

    /** Plugin ids loaded now (for logs and tests). */
    public Set<String> loadedPlugins() {
        Set<String> ids = new HashSet<>();
        catalog.sinks().forEach(s -> ids.add(s.pluginId()));
        return ids;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover copy is removed at the next start
        }
    }

    private static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            sb.append(" (").append(c.getMessage() == null ? c.toString() : c.getMessage()).append(')');
        }
        return sb.toString().replaceAll("\\s*\\n\\s*", " ");
    }
}
