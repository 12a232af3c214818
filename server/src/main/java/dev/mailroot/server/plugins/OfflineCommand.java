package dev.mailroot.server.plugins;

import dev.mailroot.host.plugins.Extensions;
import dev.mailroot.host.plugins.PluginAdmission;
import dev.mailroot.host.plugins.PluginChoice;
import dev.mailroot.host.plugins.PluginFolders;
import dev.mailroot.host.plugins.PluginManifest;
import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a plugin service's command without a server ({@code bin/mailroot connector} when no server
 * runs, {@code bin/mailroot pop3-check}). Picks the plugin's jar with the server's admission rules
 * and duplicate policy ({@link PluginAdmission}, {@link PluginFolders#choose}), loads and starts
 * it from a private copy as the server would ({@link PluginLoad#start}), calls the command on its
 * first service without starting the service, and unloads it again; the server (running or not)
 * is not affected and no binding is registered.
 */
public final class OfflineCommand {
    private OfflineCommand() {
    }

    /** No admitted jar in the plugin folders has this plugin id, or the plugin has no service. */
    public static final class NoSuchPlugin extends Exception {
        NoSuchPlugin(String message) {
            super(message);
        }
    }

    /** The plugin's jar was chosen but does not load (refused, or its own code failed). */
    public static final class LoadFailed extends Exception {
        LoadFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static CommandResult run(PluginFolders folders, ServiceEnvironment env, String pluginId, String command,
                                    Map<String, String> params) throws Exception {
        PluginManifest chosen = choose(folders, pluginId);
        Path staging = Files.createTempDirectory("mailroot-offline-");
        try {
            Path copy = Files.copy(chosen.jar(), staging.resolve(chosen.jar().getFileName()));
            PluginLoad.Started p;
            try {
                p = PluginLoad.start(copy, id -> { });
            } catch (Exception | LinkageError e) {
                throw new LoadFailed("plugin '" + pluginId + "' (" + chosen.jar() + ") does not load: "
                        + PluginCode.describe(e), e);
            }
            try {
                List<Class<? extends MailrootService>> classes = p.manager().getExtensionClasses(MailrootService.class, p.id());
                if (classes.isEmpty()) {
                    throw new NoSuchPlugin("plugin '" + pluginId + "' (" + chosen.jar() + ") has no service to run commands");
                }
                MailrootService service = ContextClassLoader.call(p.loader(),
                        () -> Extensions.create(p.manager().getExtensionFactory(), classes.get(0), "service"));
                HostServiceContext context = new HostServiceContext(p.id(), service.dataFolder(), env, p.loader());
                try {
                    return new RunningService(p.id(), service, context, p.loader(), new PluginCalls())
                            .command(command, params).orElseThrow();
                } finally {
                    context.shutdown(5);
                }
            } finally {
                p.unload();
            }
        } finally {
            try (Stream<Path> s = Files.walk(staging)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The jar the server would load for {@code pluginId}: of its admitted jars, the one the duplicate policy chooses. */
    private static PluginManifest choose(PluginFolders folders, String pluginId) throws IOException, NoSuchPlugin {
        List<PluginManifest> admitted = new ArrayList<>();
        for (PluginFolders.Jar j : folders.list().values()) {
            PluginAdmission a = PluginAdmission.of(j.path());
            if (a.admitted() && a.manifest().pluginId().equals(pluginId)) {
                admitted.add(a.manifest());
            }
        }
        PluginChoice choice = folders.choose(admitted).get(pluginId);
        if (choice == null) {
            throw new NoSuchPlugin("no plugin '" + pluginId + "' in " + folders.folders().stream()
                    .map(f -> f.dir().toString()).toList());
        }
        return choice.used();
    }
}
