package dev.mailroot.server.plugins;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.bindings.Versions;
import dev.mailroot.host.plugins.Extensions;
import dev.mailroot.host.plugins.PluginAdmission;
import dev.mailroot.host.plugins.PluginFolders;
import dev.mailroot.host.plugins.PluginManifest;
import dev.mailroot.sink.MailrootService;
import dev.mailroot.bindings.Events;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One attempt to load a plugin jar, on a thread of its own: copy the jar, check that its code
 * cannot end the process, load it into a PF4J manager of its own, start it, make its sinks. The
 * host gives it a time limit; an attempt that overruns is abandoned, and if it finishes after all,
 * it unloads what it loaded. Nothing it does blocks the host, intake or another plugin.
 */
final class PluginLoad {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** The jar's code can end the server's process. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private enum State { RUNNING, DONE, ABANDONED }

    private final PluginManifest manifest;
    private final PluginFolders.Jar jar;
    private final LoadedPlugin replacing;
    private final Path copy;
    private final Duration limit;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private final CompletableFuture<LoadedPlugin> result = new CompletableFuture<>();
    private final long started = System.nanoTime();

    PluginLoad(PluginManifest manifest, PluginFolders.Jar jar, LoadedPlugin replacing, Path copy, Duration limit) {
        this.manifest = manifest;
        this.jar = jar;
        this.replacing = replacing;
        this.copy = copy;
        this.limit = limit;
    }

    PluginManifest manifest() {
        return manifest;
    }

    PluginFolders.Jar jar() {
        return jar;
    }

    /** The loaded version this attempt would replace, or null. */
    LoadedPlugin replacing() {
        return replacing;
    }

    /** Completes with the started plugin, or with what went wrong (anything the plugin threw, Errors included). */
    CompletableFuture<LoadedPlugin> result() {
        return result;
    }

    void start() {
        Thread t = new Thread(this::run, "plugin-load-" + jar.path().getFileName());
        t.setDaemon(true);
        t.start();
    }

    /** Gives up on the attempt at its time limit; false if it had finished already. */
    boolean abandon() {
        return state.compareAndSet(State.RUNNING, State.ABANDONED);
    }

    private void run() {
        LoadedPlugin p;
        try {
            p = load();
        } catch (Throwable e) {
            deleteCopy();
            if (!state.compareAndSet(State.RUNNING, State.DONE)) {
                log.warn("MR4012 plugin jar {} failed after its time limit: {}", jar.path(), PluginCode.describe(e));
                return;
            }
            result.completeExceptionally(e);
            return;
        }
        if (!state.compareAndSet(State.RUNNING, State.DONE)) {
            log.warn("MR4012 plugin jar {} finished loading {} s after it started, past its time limit; it is unloaded "
                    + "again (replace the file to retry)", jar.path(), (System.nanoTime() - started) / 1_000_000_000L);
            p.retire("it finished loading after its time limit", Duration.ZERO, limit);
            return;
        }
        result.complete(p);
    }

    private LoadedPlugin load() throws Exception {
        Files.copy(jar.path(), copy, StandardCopyOption.REPLACE_EXISTING);
        Started p = start(copy, this::reportBundledSharedClasses);
        try {
            PluginCalls calls = new PluginCalls();
            List<Binding> defaults = new ArrayList<>();
            List<LoadedSink> sinks = createSinks(p.manager(), p.id(), p.loader(), calls, defaults);
            List<Class<? extends MailrootService>> services = p.manager().getExtensionClasses(MailrootService.class, p.id());
            return new LoadedPlugin(manifest, jar, copy, p.manager(), p.loader(), calls, sinks, defaults, services);
        } catch (Throwable e) {
            p.unload();
            throw e;
        }
    }

    /**
     * A plugin loaded from its private copy into a PF4J manager of its own, and started.
     *
     * @param manager its manager
     * @param id      its plugin id
     * @param loader  its class loader
     */
    record Started(JarPluginManager manager, String id, ClassLoader loader) {
        /** Stops and unloads it, under its class loader; what fails here is ignored (it may not have got far). */
        void unload() {
            try {
                ContextClassLoader.call(loader, () -> manager.unloadPlugin(id)); // PF4J stops it first if it runs
            } catch (Throwable ignored) {
                // it may not have got far enough to be stopped or unloaded
            }
        }
    }

    /**
     * Loads and starts the plugin in {@code copy} (an admitted jar's private copy), the one way the
     * server and its offline commands run a plugin: refused if its code can end the process, then
     * loaded into a manager of its own with a {@link HostFirstClassLoader}, {@code loaded} told its
     * id, and started under its class loader. On any failure what was loaded is unloaded again.
     *
     * @throws Refused if its code can end the process
     */
    static Started start(Path copy, Consumer<String> loaded) throws Exception {
        Optional<String> exit = PluginAdmission.exitCallRefusal(copy);
        if (exit.isPresent()) {
            throw new Refused(exit.get());
        }
        JarPluginManager manager = HostFirstClassLoader.newManager(copy.getParent());
        manager.setSystemVersion(Versions.MAILROOT);
        String id = manager.loadPlugin(copy);
        Started p = new Started(manager, id, manager.getPluginClassLoader(id));
        try {
            loaded.accept(id);
            PluginState st = ContextClassLoader.call(p.loader(), () -> manager.startPlugin(id));
            if (st != PluginState.STARTED) {
                throw notStarted(manager.getPlugin(id), st);
            }
            return p;
        } catch (Throwable e) {
            p.unload();
            throw e;
        }
    }

    private static IllegalStateException notStarted(PluginWrapper wrapper, PluginState state) {
        Throwable why = wrapper.getFailedException();
        return new IllegalStateException("plugin '" + wrapper.getPluginId() + "' is " + state
                + (why == null ? "" : ": " + PluginCode.describe(why)));
    }

    /**
     * One instance of each sink class of the plugin (a class implementing the sinks of several
     * events is made once), made under its class loader; its default bindings go to {@code defaults}.
     */
    private static List<LoadedSink> createSinks(JarPluginManager manager, String pluginId, ClassLoader loader,
                                                PluginCalls calls, List<Binding> defaults) {
        List<LoadedSink> sinks = new ArrayList<>();
        java.util.Set<String> made = new java.util.HashSet<>();
        for (String event : Events.ALL) {
            for (Class<?> cls : manager.getExtensionClasses(Events.sinkInterface(event).asSubclass(org.pf4j.ExtensionPoint.class), pluginId)) {
                if (!made.add(cls.getName())) {
                    continue;
                }
                Object sink = ContextClassLoader.call(loader, () -> Extensions.create(manager.getExtensionFactory(), cls, "sink"));
                sinks.add(new LoadedSink(pluginId, cls.getName(), sink, loader, calls));
                try {
                    defaults.addAll(DefaultBindings.of(cls));
                } catch (DefaultBindings.InvalidDeclaration e) {
                    log.warn("MR4007 plugin '{}': default binding not registered: {}", pluginId, e.getMessage());
                }
            }
        }
        return sinks;
    }

    /** Says once per load that the jar carries classes the server provides: they are ignored, the server's are used. */
    private void reportBundledSharedClasses(String pluginId) {
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
                            + "Mail in provided scope.", pluginId, jar.path().getFileName(), bundled.size(), String.join(", ", some),
                    bundled.size() > some.size() ? ", ..." : "");
        }
    }

    private void deleteCopy() {
        try {
            Files.deleteIfExists(copy);
        } catch (IOException e) {
            // removed at the next start
        }
    }
}
