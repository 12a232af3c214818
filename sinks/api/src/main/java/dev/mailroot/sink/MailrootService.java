package dev.mailroot.sink;

import org.pf4j.ExtensionPoint;

import java.util.Map;

/**
 * A long-running part of a plugin, such as a connector that fetches mail from elsewhere and hands
 * it to the pickup folder. The server starts each service when its plugin is loaded and stops it
 * before the plugin is unloaded (or the server stops).
 *
 * <p><b>Threading.</b> {@link #start} and {@link #stop} are called once each, on the server's
 * plugin thread; they should return promptly and leave the work to the
 * {@link ServiceContext#scheduler() scheduler}. {@link #command} may be called at any time from
 * another thread, also before {@code start} (for commands that need no running service, such as a
 * configuration check). Every call runs with the plugin's class loader as context class loader.
 */
public interface MailrootService extends ExtensionPoint {

    /**
     * Starts the service: read the configuration, schedule the work. An exception is logged and
     * leaves the service stopped; the plugin's sinks still work.
     */
    void start(ServiceContext context) throws Exception;

    /** Stops the service; the server shuts the scheduler down afterwards. */
    void stop() throws Exception;

    /**
     * Runs an administrator's command, such as {@code retrieve} (from the admin endpoint
     * {@code POST /connectors/<plugin-id>/<command>?name=value} or {@code bin/mailroot}).
     *
     * @param command    the command's name
     * @param parameters its parameters (query parameters or command-line options)
     * @param context    the service's context, also when the service is not started
     * @return what happened, as a report for the administrator
     */
    default CommandResult command(String command, Map<String, String> parameters, ServiceContext context) throws Exception {
        return CommandResult.unknown(command);
    }

    /**
     * The name of the service's data folder under {@code mailroot/}; null (the default) means the
     * plugin id.
     */
    default String dataFolder() {
        return null;
    }
}
