package dev.mailroot.server.plugins;

import dev.mailroot.bindings.Versions;
import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a plugin service's command without a server, for commands that need no running service
 * ({@code bin/mailroot pop3-check}). Loads the plugin from a private copy of its jar, calls the
 * command without starting the service, and unloads it again; the server (running or not) is not
 * affected and no binding is registered.
 */
public final class OfflineCommand {
    private OfflineCommand() {
    }

    /** The plugin is not in the plugins folder, or has no service. */
    public static final class NoSuchService extends Exception {
        NoSuchService(String message) {
            super(message);
        }
    }

    public static CommandResult run(Path pluginsDir, ServiceEnvironment env, String pluginId, String command,
                                    Map<String, String> params) throws Exception {
        Path staging = Files.createTempDirectory("mailroot-offline-");
        JarPluginManager manager = HostFirstClassLoader.newManager(staging);
        manager.setSystemVersion(Versions.MAILROOT);
        try {
            for (Path jar : jars(pluginsDir)) {
                Path copy = Files.copy(jar, staging.resolve(jar.getFileName()));
                String id;
                try {
                    id = manager.loadPlugin(copy);
                } catch (RuntimeException e) {
                    continue; // broken or duplicate jars: the server reports them; here we look for one plugin
                }
                if (!id.equals(pluginId)) {
                    manager.unloadPlugin(id);
                    continue;
                }
                PluginWrapper w = manager.getPlugin(id);
                ClassLoader loader = w.getPluginClassLoader();
                PluginState state = ContextClassLoader.call(loader, () -> manager.startPlugin(id));
                if (state != PluginState.STARTED) {
                    throw new NoSuchService("plugin '" + pluginId + "' (" + jar.getFileName() + ") does not load: " + state);
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
            }
            throw new NoSuchService("no plugin '" + pluginId + "' in " + pluginsDir);
        } finally {
            for (PluginWrapper w : new ArrayList<>(manager.getPlugins())) {
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

    private static List<Path> jars(Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    if (PluginHost.isPluginJarName(p.getFileName().toString())) {
                        jars.add(p);
                    }
                }
            }
        }
        jars.sort(null);
        return jars;
    }
}
