package dev.mailroot.server.plugins;

import java.nio.file.Path;
import java.util.List;

/**
 * Where plugin services live: the folders and facts a {@link HostServiceContext} hands them.
 *
 * @param pickup   {@code mailroot/pickup/}
 * @param mailroot {@code mailroot/}, under which each service gets its data folder
 * @param conf     {@code conf/}, where {@code <plugin-id>.yaml} lives
 * @param domains  the local domains
 * @param metrics  each plugin's {@link dev.mailroot.sink.ServiceMetrics}, by plugin id
 */
public record ServiceEnvironment(Path pickup, Path mailroot, Path conf, List<String> domains,
                                 java.util.function.Function<String, dev.mailroot.sink.ServiceMetrics> metrics) {
    public ServiceEnvironment {
        domains = List.copyOf(domains);
    }

    /** Without metrics (offline commands). */
    public ServiceEnvironment(Path pickup, Path mailroot, Path conf, List<String> domains) {
        this(pickup, mailroot, conf, domains, id -> dev.mailroot.sink.ServiceMetrics.NONE);
    }
}
