package dev.mailroot.server.plugins;

import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;

import java.util.Map;
import java.util.Optional;

/**
 * A plugin's service with its context and class loader; every call into it runs under the
 * plugin's class loader, and a command counts as a call into the plugin (its {@link PluginCalls}),
 * so the plugin is not unloaded under a running command.
 *
 * @param pluginId the plugin
 * @param service  the service
 * @param context  its context
 * @param loader   the plugin's class loader
 * @param calls    the calls running into the plugin (shared with its sinks)
 */
record RunningService(String pluginId, MailrootService service, HostServiceContext context, ClassLoader loader,
                      PluginCalls calls) {

    void start() throws Exception {
        under(() -> {
            service.start(context);
            return null;
        });
    }

    void stop() throws Exception {
        under(() -> {
            service.stop();
            return null;
        });
    }

    /** Runs an administrator's command; empty if the plugin is being unloaded (the command is not run). */
    Optional<CommandResult> command(String name, Map<String, String> params) throws Exception {
        if (!calls.enter()) {
            return Optional.empty();
        }
        try {
            return Optional.of(under(() -> service.command(name, params, context)));
        } finally {
            calls.exit();
        }
    }

    private <T> T under(ContextClassLoader.Call<T, Exception> call) throws Exception {
        return ContextClassLoader.call(loader, call);
    }
}
