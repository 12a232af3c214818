package dev.mailroot.server.plugins;

import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;

import java.util.Map;

/**
 * A plugin's service with its context and class loader; every call into it runs under the
 * plugin's class loader.
 *
 * @param pluginId the plugin
 * @param service  the service
 * @param context  its context
 * @param loader   the plugin's class loader
 */
record RunningService(String pluginId, MailrootService service, HostServiceContext context, ClassLoader loader) {

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

    CommandResult command(String name, Map<String, String> params) throws Exception {
        return under(() -> service.command(name, params, context));
    }

    private <T> T under(ContextClassLoader.Call<T, Exception> call) throws Exception {
        return ContextClassLoader.call(loader, call);
    }
}
