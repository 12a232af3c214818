package dev.mailroot.server.plugins;

import dev.mailroot.bindings.Binding;
import dev.mailroot.host.plugins.Extensions;
import dev.mailroot.host.plugins.PluginFolders;
import dev.mailroot.host.plugins.PluginManifest;
import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;
import org.pf4j.JarPluginManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One started plugin: its own PF4J manager and class loader, its sinks (made), its services (made
 * and started after the plugin is published), and the copy of the jar it runs from. Each plugin has
 * a manager of its own, so one plugin's loading or unloading never waits for another's.
 */
final class LoadedPlugin {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final PluginManifest manifest;
    private final PluginFolders.Jar jar;
    private final Path staged;
    private final JarPluginManager manager;
    private final ClassLoader loader;
    private final PluginCalls calls;
    private final List<LoadedSink> sinks;
    private final List<Binding> defaults;
    private final List<Class<? extends MailrootService>> serviceClasses;
    /** Guards {@link #retired} and the services' list against a start and a retire at once. */
    private final Object lifecycle = new Object();
    private boolean retired;
    private volatile List<RunningService> services = List.of();

    LoadedPlugin(PluginManifest manifest, PluginFolders.Jar jar, Path staged, JarPluginManager manager, ClassLoader loader,
                 PluginCalls calls, List<LoadedSink> sinks, List<Binding> defaults,
                 List<Class<? extends MailrootService>> serviceClasses) {
        this.manifest = manifest;
        this.jar = jar;
        this.staged = staged;
        this.manager = manager;
        this.loader = loader;
        this.calls = calls;
        this.sinks = List.copyOf(sinks);
        this.defaults = List.copyOf(defaults);
        this.serviceClasses = List.copyOf(serviceClasses);
    }

    String id() {
        return manifest.pluginId();
    }

    PluginManifest manifest() {
        return manifest;
    }

    PluginFolders.Jar jar() {
        return jar;
    }

    PluginCalls calls() {
        return calls;
    }

    List<LoadedSink> sinks() {
        return sinks;
    }

    List<Binding> defaults() {
        return defaults;
    }

    List<RunningService> services() {
        return services;
    }

    /** "'id' version (path, folder)", as log lines name a loaded plugin. */
    String describe() {
        return "'" + id() + "' " + manifest.version() + " from " + jar.path() + " (" + jar.folder() + ")";
    }

    /**
     * Makes and starts the plugin's services, each within {@code limit}; one that fails is reported
     * and left out. A service whose start returns only after the limit, or after the plugin was
     * retired meanwhile, is stopped again at once: no service runs that {@link #retire} would not stop.
     */
    void startServices(ServiceEnvironment env, Duration limit) {
        for (Class<? extends MailrootService> cls : serviceClasses) {
            if (!calls.enter()) {
                return; // being unloaded already
            }
            CompletableFuture<RunningService> starting = PluginCode.start("plugin-" + id() + "-start", loader, () -> {
                MailrootService service = Extensions.create(manager.getExtensionFactory(), cls, "service");
                RunningService r = new RunningService(id(), service,
                        new HostServiceContext(id(), service.dataFolder(), env, loader), loader, calls);
                r.start();
                return r;
            });
            try {
                RunningService running = starting.get(limit.toMillis(), TimeUnit.MILLISECONDS);
                if (adopt(running)) {
                    log.info("MR4010 plugin '{}': service {} started", id(), cls.getName());
                }
            } catch (TimeoutException e) {
                log.error("MR4009 plugin '{}': service {} did not start within {} s and is not running (its start hangs)",
                        id(), cls.getName(), limit.toSeconds());
                starting.thenAccept(late -> {
                    log.warn("MR4009 plugin '{}': service {} started after its time limit; it is stopped again", id(),
                            cls.getName());
                    stop(late, limit);
                });
            } catch (ExecutionException e) {
                log.error("MR4009 plugin '{}': service {} failed to start and is not running: {}", id(), cls.getName(),
                        PluginCode.describe(e.getCause()), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                calls.exit();
            }
        }
    }

    /** Keeps a started service, unless the plugin was retired meanwhile: then it is stopped; returns whether it was kept. */
    private boolean adopt(RunningService r) {
        synchronized (lifecycle) {
            if (!retired) {
                List<RunningService> all = new ArrayList<>(services);
                all.add(r);
                services = List.copyOf(all);
                return true;
            }
        }
        stop(r, Duration.ofSeconds(10));
        return false;
    }

    /** Stops one service and its scheduler, its own stop code within {@code limit}. */
    private void stop(RunningService r, Duration limit) {
        try {
            PluginCode.run("plugin-" + id() + "-stop", loader, limit, () -> {
                r.stop();
                return null;
            });
        } catch (TimeoutException e) {
            log.warn("MR4016 plugin '{}': service {} did not stop within {} s; unloading anyway", id(),
                    r.service().getClass().getName(), limit.toSeconds());
        } catch (ExecutionException e) {
            log.warn("plugin '{}': service {} did not stop cleanly: {}", id(), r.service().getClass().getName(),
                    PluginCode.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        r.context().shutdown(10);
    }

    /** Runs an administrator's command on the plugin's first service; empty if none runs (or it is being unloaded). */
    Optional<CommandResult> command(String command, Map<String, String> params) throws Exception {
        List<RunningService> running = services;
        if (running.isEmpty()) {
            return Optional.empty();
        }
        try {
            return running.get(0).command(command, params);
        } catch (Error e) {
            throw new ExecutionException("plugin '" + id() + "' " + PluginCode.describe(e), e);
        }
    }

    /**
     * Takes the plugin out of service: refuses new calls, stops its services, waits (within
     * {@code unloadWait}) for its calls in flight, then stops and unloads it, each step of its own
     * code within {@code limit}. Runs on a thread of the host's choosing, never the host's own.
     */
    void retire(String why, Duration unloadWait, Duration limit) {
        List<RunningService> running;
        synchronized (lifecycle) {
            retired = true;
            running = services;
            services = List.of();
        }
        calls.close();
        for (RunningService r : running) {
            stop(r, limit);
        }
        awaitCalls(unloadWait);
        try {
            PluginCode.run("plugin-" + id() + "-unload", loader, limit, () -> {
                manager.stopPlugin(id());
                return manager.unloadPlugin(id());
            });
        } catch (TimeoutException e) {
            log.warn("MR4016 plugin '{}' did not stop within {} s; its code may still run until the server restarts",
                    id(), limit.toSeconds());
        } catch (ExecutionException e) {
            log.warn("plugin '{}' did not stop cleanly: {}", id(), PluginCode.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(staged);
        } catch (IOException e) {
            // a leftover copy is removed at the next start
        }
        log.info("MR4005 plugin {} unloaded: {}", describe(), why);
    }

    /** Waits, within {@code wait}, until no call into the plugin is running. */
    private void awaitCalls(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (calls.running() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int stillRunning = calls.running();
        if (stillRunning > 0) {
            log.warn("plugin '{}': {} call(s) still running after {} s; unloading anyway", id(), stillRunning,
                    wait.toSeconds());
        }
    }
}
