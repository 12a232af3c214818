package dev.mailroot.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.AdminClient;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The running server's own view of its bindings and plugins, read through its admin endpoint
 * ({@code GET /bindings}, {@code GET /plugins}): what {@code registry enum} and {@code registry sinks}
 * show when a server runs in the home. When none does, or its view cannot be read, the tools fall
 * back to what the files say and print why ({@link #source()}).
 */
final class ServerView {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the server made of one jar.
     *
     * @param state  {@code loaded}, {@code loading}, {@code not used}, {@code does not load}, {@code waiting}
     * @param detail why, where the state needs it
     */
    record JarView(String state, String detail) {
    }

    private final String source;
    private final Map<String, String> bindingStatus;
    private final Map<Path, JarView> jars;

    private ServerView(String source, Map<String, String> bindingStatus, Map<Path, JarView> jars) {
        this.source = source;
        this.bindingStatus = bindingStatus;
        this.jars = jars;
    }

    /** Asks the server of {@code home}; never fails: a server that cannot be asked gives a view of none. */
    static ServerView of(Path home) {
        AdminClient admin;
        try {
            admin = AdminClient.of(home).timeout(Duration.ofSeconds(10));
        } catch (AdminClient.NotRunningException e) {
            return none("server not running: status from files");
        } catch (IOException e) {
            return none("server's status unreadable (" + e.getMessage() + "): status from files");
        }
        try {
            AdminClient.Response b = admin.get("/bindings");
            AdminClient.Response p = admin.get("/plugins");
            if (!b.ok() || !p.ok()) {
                AdminClient.Response bad = b.ok() ? p : b;
                return none("server's status unreadable (HTTP " + bad.status() + ": " + Registry.oneLine(bad.body())
                        + "): status from files");
            }
            Map<String, String> statuses = new HashMap<>();
            for (JsonNode n : JSON.readTree(b.body()).path("bindings")) {
                statuses.put(n.path("id").asText(), n.path("status").asText());
            }
            Map<Path, JarView> jars = new HashMap<>();
            for (JsonNode n : JSON.readTree(p.body()).path("jars")) {
                jars.put(Path.of(n.path("path").asText()), new JarView(n.path("state").asText(), n.path("detail").asText()));
            }
            return new ServerView("status from the running server (127.0.0.1:" + admin.port() + ")", statuses, jars);
        } catch (AdminClient.NotRunningException e) {
            return none("server not running: status from files");
        } catch (IOException e) {
            return none("server's status unreadable (" + e.getMessage() + "): status from files");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return none("interrupted: status from files");
        }
    }

    private static ServerView none(String why) {
        return new ServerView(why, Map.of(), Map.of());
    }

    /** Where the statuses shown come from, in one line: the running server, or why the files. */
    String source() {
        return source;
    }

    /** Whether the running server answered. */
    boolean running() {
        return source.startsWith("status from the running server");
    }

    /** The server's status of a binding, if it knows the binding (it reads a changed file within 2 s). */
    Optional<String> bindingStatus(String id) {
        return Optional.ofNullable(bindingStatus.get(id));
    }

    /** What the server made of a jar, if it has seen it. */
    Optional<JarView> jar(Path path) {
        return Optional.ofNullable(jars.get(path.toAbsolutePath().normalize()));
    }
}
