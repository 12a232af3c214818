package dev.mailroot.sink;

import org.slf4j.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** What the server gives a {@link MailrootService}. */
public interface ServiceContext {

    /** The plugin's id. */
    String pluginId();

    /** {@code mailroot/pickup/}: write a file elsewhere, then rename it in here, to submit it. */
    Path pickupDirectory();

    /** The service's own folder under {@code mailroot/} (created), for state and work files. */
    Path dataDirectory();

    /** {@code conf/<plugin-id>.yaml}; it may not exist. */
    Path configFile();

    /**
     * The configuration file read as YAML into maps, lists and scalars (strings, numbers,
     * booleans); an empty map if the file does not exist.
     *
     * @throws ServiceConfigException if it is not valid YAML or not a map at the top (the message
     *                                names the file, line and column)
     */
    Map<String, Object> readConfig() throws ServiceConfigException;

    /** The local domains; the first is the primary one. */
    List<String> localDomains();

    /**
     * A scheduler for the service's work. Its threads run with the plugin's class loader as
     * context class loader; the server shuts it down after {@link MailrootService#stop()}.
     */
    ScheduledExecutorService scheduler();

    /**
     * The service's logger ({@code plugin.<plugin-id>}); its level is set in
     * {@code conf/mailroot.yaml} under {@code logging: {<plugin-id>: debug}}.
     */
    Logger logger();

    /**
     * Where the service counts what it does, exposed by the server's {@code GET /metrics} as
     * {@code mailroot_connector_*{plugin="<plugin-id>"}}. The default (for a server that predates
     * it) records nothing.
     */
    default ServiceMetrics metrics() {
        return ServiceMetrics.NONE;
    }
}
