package dev.mailroot.registry;

import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.host.plugins.PluginFolders;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --home DIR}, taken by every verb, and what lives there. The home is {@code --home}, else
 * {@code $MAILROOT_HOME}, else the current folder, as for {@code bin/mailroot}; but the current
 * folder is used for bindings only if it is a Mailroot home (it has {@code conf/} or
 * {@code mailroot/}), so a verb run in the wrong folder says so instead of creating a
 * {@code conf/bindings.yaml} there. A home named explicitly may be new: {@code add} prepares it.
 */
final class HomeOption {
    @Option(names = "--home", paramLabel = "DIR",
            description = "The server's home folder (default: $MAILROOT_HOME, else the current folder if it is a Mailroot home).")
    Path home;

    /** The home named by {@code --home} or {@code $MAILROOT_HOME}, if either names one. */
    private Path named() {
        if (home != null) {
            return home;
        }
        String env = System.getenv("MAILROOT_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : null;
    }

    /** The named home, else the current folder (not checked). */
    Path root() {
        Path named = named();
        return named != null ? named : Path.of("");
    }

    /** {@link #root()}, refusing a current folder that is not a Mailroot home. */
    private Path bindingsHome() {
        Path root = root();
        if (named() == null && !Files.isDirectory(root.resolve("conf")) && !Files.isDirectory(root.resolve("mailroot"))) {
            throw new RegistryException(root.toAbsolutePath() + " is not a Mailroot home (no conf/ or mailroot/ in it); "
                    + "name the home with --home DIR or MAILROOT_HOME=DIR");
        }
        return root;
    }

    BindingStore store() {
        return new BindingStore(bindingsHome().resolve("conf").resolve("bindings.yaml"));
    }

    Path plugins() {
        return root().resolve("plugins");
    }

    /** The registry as it is now; a file with a problem is a refusal naming the problem. */
    BindingRegistry read() {
        try {
            return store().read();
        } catch (BindingStoreException e) {
            throw new RegistryException(e.getMessage());
        }
    }

    /**
     * The folders the server loads plugins from: the home's {@code plugins/}, then the plugins
     * bundled with Mailroot (named by the launcher in {@code mailroot.bundledPlugins}) unless the
     * home's {@code conf/mailroot.yaml} says {@code plugins: {bundled: false}}.
     */
    PluginFolders pluginFolders() {
        return PluginFolders.of(plugins(), bundledEnabled());
    }

    private boolean bundledEnabled() {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                    .readTree(root().resolve("conf").resolve("mailroot.yaml").toFile());
            com.fasterxml.jackson.databind.JsonNode v = tree == null ? null : tree.path("plugins").path("bundled");
            return v == null || !v.isBoolean() || v.asBoolean();
        } catch (IOException | RuntimeException e) {
            return true; // no file, or one the server will refuse anyway: the default
        }
    }

    List<PluginJar> jars() {
        try {
            return PluginJar.scan(pluginFolders());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + plugins(), e);
        }
    }
}
