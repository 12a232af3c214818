package dev.mailroot.registry;

import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** {@code --home DIR}, taken by every verb, and what lives there. */
final class HomeOption {
    @Option(names = "--home", paramLabel = "DIR",
            description = "The server's home folder (default: $MAILROOT_HOME, else the current folder).")
    Path home;

    Path root() {
        if (home != null) {
            return home;
        }
        String env = System.getenv("MAILROOT_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("");
    }

    BindingStore store() {
        return new BindingStore(root().resolve("conf").resolve("bindings.yaml"));
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

    List<PluginJar> jars() {
        try {
            return PluginJar.scan(plugins());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + plugins(), e);
        }
    }
}
