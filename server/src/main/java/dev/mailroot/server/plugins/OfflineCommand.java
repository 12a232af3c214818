package dev.mailroot.server.plugins;

import dev.mailroot.bindings.ExitCalls;
import dev.mailroot.bindings.PluginManifest;
import dev.mailroot.bindings.Versions;
import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs a plugin service's command without a server, for commands that need no running service
 * ({@code bin/mailroot pop3-check}). Picks the plugin's jar as the server would (the highest
 * version in the plugin folders), loads it from a private copy, calls the command without starting
 * the service, and unloads it again; the server (running or not) is not affected and no binding is
 * registered.
 */
public final class OfflineCommand {
    private OfflineCommand() {
    }

    /** The plugin is not in the plugin folders, does not load, or has no service. */
    public static final class NoSuchService extends Exception {
        NoSuchService(String message) {
            super(message);
        }
    }

    public static CommandResult run(PluginFolders folders, ServiceEnvironment env, String pluginId, String command,
                                    Map<String, String> params) throws Exception {
        PluginManifest chosen = choose(folders, pluginId);
        Path staging = Files.createTempDirectory("mailroot-offline-");
        JarPluginManager manager = HostFirstClassLoader.newManager(staging);
        manager.setSystemVersion(Versions.MAILROOT);
        try {
            Path copy = Files.copy(chosen.jar(), staging.resolve(chosen.jar().getFileName()));
            Optional<String> exit = ExitCalls.in(copy);
            if (exit.isPresent()) {
                throw new NoSuchService("plugin '" + pluginId + "' (" + chosen.jar() + ") is refused: its code can end the "
                        + "process: " + exit.get());
            }
            String id = manager.loadPlugin(copy);
            ClassLoader loader = manager.getPluginClassLoader(id);
            PluginState state = ContextClassLoader.call(loader, () -> manager.startPlugin(id));
            if (state != PluginState.STARTED) {
                throw new NoSuchService("plugin '" + pluginId + "' (" + chosen.jar() + ") does not load: " + state);
            }
            List<Class<? extends MailrootService>> classes = manager.getExtensionClasses(MailrootService.class, id);
            if (classes.isEmpty()) {
                throw new NoSuchService("plugin '" + pluginId + "' has no service");
            }
            MailrootService service = (MailrootService) ContextClassLoader.call(loader,
                    () -> manager.getExtensionFactory().create(classes.get(0)));
            HostServiceContext context = new HostServiceContext(id, service.dataFolder(), env, loader);
            try {
                return new RunningService(id, service, context, loader, new PluginCalls()).command(command, params).orElseThrow();
            } finally {
                context.shutdown(5);
            }
        } finally {
            for (var w : new ArrayList<>(manager.getPlugins())) {
                try {
                    ContextClassLoader.call(w.getPluginClassLoader(), () -> {
                        manager.stopPlugin(w.getPluginId());
                        return manager.unloadPlugin(w.getPluginId());
                    });
                } catch (RuntimeException | LinkageError ignored) {
                    // best effort: the process ends soon
                }
            }
            try (Stream<Path> s = Files.walk(staging)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The jar the server would load for {@code pluginId}: of its readable, compatible jars the preferred one. */
    private static PluginManifest choose(PluginFolders folders, String pluginId) throws IOException, NoSuchService {
        List<PluginManifest> candidates = new ArrayList<>();
        for (PluginFolders.Jar j : folders.list().values()) {
            try {
                PluginManifest m = PluginManifest.read(j.path());
                if (m.pluginId().equals(pluginId) && m.incompatibility() == null) {
                    candidates.add(m);
                }
            } catch (PluginManifest.NotAPlugin e) {
                // the server reports broken jars; here we look for one plugin
            }
        }
        return candidates.stream().min(PluginManifest.preference(folders::rank)).orElseThrow(() -> new NoSuchService(
                "no plugin '" + pluginId + "' in " + folders.folders().stream().map(f -> f.dir().toString()).toList()));
    }
}
