package dev.mailroot.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's home folder and the layout under it (docs/architecture.md, "Runtime layout").
 * Everything is created on first start.
 */
public record Home(Path root) {

    public Home {
        root = root.toAbsolutePath().normalize();
    }

    public Path conf() {
        return root.resolve("conf");
    }

    /** {@code conf/mailroot.yaml}: overrides of the embedded defaults. */
    public Path configFile() {
        return conf().resolve("mailroot.yaml");
    }

    /** {@code conf/bindings.yaml}: the binding registry. */
    public Path bindingsFile() {
        return conf().resolve("bindings.yaml");
    }

    public Path plugins() {
        return root.resolve("plugins");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path mailroot() {
        return root.resolve("mailroot");
    }

    public Path queue() {
        return mailroot().resolve("queue");
    }

    public Path pickup() {
        return mailroot().resolve("pickup");
    }

    public Path badmail() {
        return mailroot().resolve("badmail");
    }

    /** {@code mailroot/plugins-loaded/}: the copies of plugin jars the server loaded (internal). */
    public Path loadedPlugins() {
        return mailroot().resolve("plugins-loaded");
    }

    /** {@code mailroot/admin.port}: the running server's admin port (removed when it stops). */
    public Path adminPortFile() {
        return mailroot().resolve("admin.port");
    }

    public Path mailboxes() {
        return mailroot().resolve("mailboxes");
    }

    /** Creates the folders the server writes to. */
    public void create() throws IOException {
        for (Path p : new Path[]{conf(), plugins(), logs(), queue(), pickup(), badmail(), mailboxes()}) {
            Files.createDirectories(p);
        }
    }
}
