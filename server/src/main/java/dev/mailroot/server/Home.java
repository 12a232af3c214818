package dev.mailroot.server;

import dev.mailroot.bindings.AdminClient;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

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

    /** {@code conf/mailboxes.yaml}: the mailbox directory (optional: without it every local part is a mailbox). */
    public Path mailboxesFile() {
        return conf().resolve("mailboxes.yaml");
    }

    /** {@code sieve/}: the mailboxes' Sieve scripts, {@code <mailbox>.sieve}. */
    public Path sieve() {
        return root().resolve("sieve");
    }

    /** {@code mailroot/quarantine/}: messages OnEndOfData sinks quarantined ({@code .bad} + {@code .bdr}). */
    public Path quarantine() {
        return mailroot().resolve("quarantine");
    }

    /** {@code mailroot/poison/}: messages set aside by poison-message protection ({@code .bad} + {@code .bdr}). */
    public Path poison() {
        return mailroot().resolve("poison");
    }

    /** {@code mailroot/plugins-loaded/}: the copies of plugin jars the server loaded (internal). */
    public Path loadedPlugins() {
        return mailroot().resolve("plugins-loaded");
    }

    /** {@code mailroot/admin.port}: the running server's admin port (removed when it stops). */
    public Path adminPortFile() {
        return AdminClient.portFile(root);
    }

    /** {@code mailroot/admin.token}: the admin endpoint's secret (0600), made at first start. */
    public Path adminTokenFile() {
        return AdminClient.tokenFile(root);
    }

    /** {@code mailroot/admin.password}: the bcrypt hash of the web console's admin password (0600), if one was set. */
    public Path adminPasswordFile() {
        return mailroot().resolve("admin.password");
    }

    /** {@code mailroot/instance}: this home's server identity (internal; see {@link #instanceId()}). */
    public Path instanceFile() {
        return mailroot().resolve("instance");
    }

    /**
     * This home's server identity: 12 random characters, made on first call and kept in
     * {@link #instanceFile()}. Servers with different homes sharing one pickup folder each keep
     * their claims under {@code pickup/.claimed/<instance>/}, so neither finishes the other's.
     * Call it with the spool lock held (one server per home), so two calls never race.
     */
    public String instanceId() throws IOException {
        Path f = instanceFile();
        if (Files.exists(f)) {
            String id = Files.readString(f, StandardCharsets.US_ASCII).strip();
            if (id.matches("[0-9a-z]{1,64}")) {
                return id;
            }
            throw new IOException(f + ": not a server identity: '" + id + "' (delete the file to make a new one)");
        }
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            id.append(Character.forDigit(random.nextInt(36), 36));
        }
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling("instance.tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        return id.toString();
    }

    public Path mailboxes() {
        return mailroot().resolve("mailboxes");
    }

    /** Creates the folders the server writes to. */
    public void create() throws IOException {
        for (Path p : new Path[]{conf(), plugins(), logs(), queue(), pickup(), badmail(), quarantine(), mailboxes()}) {
            Files.createDirectories(p);
        }
    }
}
