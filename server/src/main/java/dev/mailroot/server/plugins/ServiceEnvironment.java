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
 */
public record ServiceEnvironment(Path pickup, Path mailroot, Path conf, List<String> domains) {
    public ServiceEnvironment {
        domains = List.copyOf(domains);
    }
}
