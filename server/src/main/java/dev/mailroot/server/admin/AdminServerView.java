package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.AdminClient;
import dev.mailroot.server.Home;
import dev.mailroot.server.doctor.ServerView;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The running server as {@code bin/mailroot doctor} sees it: through its admin endpoint (the token
 * from the home). A home whose server is not running has an empty {@link #health()}; so has one
 * whose admin port now answers for another home.
 */
final class AdminServerView implements ServerView {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Home home;
    private AdminClient client;

    AdminServerView(Home home) {
        this.home = home;
    }

    private AdminClient client() throws IOException {
        if (client == null) {
            client = AdminClient.of(home.root()).timeout(Duration.ofSeconds(30));
        }
        return client;
    }

    @Override
    public Optional<String> health() throws IOException {
        try {
            AdminClient.Response r = client().get("/health");
            if (!r.ok()) {
                throw new IOException("GET /health answered " + r.status() + ": " + r.body().strip());
            }
            Path answered = Path.of(JSON.readTree(r.body()).path("home").asText()).toAbsolutePath().normalize();
            if (!answered.equals(home.root().toAbsolutePath().normalize())) {
                return Optional.empty();
            }
            return Optional.of(r.body());
        } catch (AdminClient.NotRunningException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public String bindings() throws IOException {
        return get("/bindings");
    }

    @Override
    public String queue() throws IOException {
        return get("/queue");
    }

    private String get(String path) throws IOException {
        try {
            AdminClient.Response r = client().get(path);
            if (!r.ok()) {
                throw new IOException("GET " + path + " answered " + r.status() + ": " + r.body().strip());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public Optional<Answer> connector(String plugin, String command, Duration timeout) throws IOException {
        try {
            AdminClient.Response r = client().timeout(timeout).post("/connectors/" + plugin + "/" + command, Map.of());
            if (AdminClient.UNKNOWN_PLUGIN.equals(r.refusal())) {
                return Optional.empty();
            }
            return Optional.of(new Answer(r.status(), r.body()));
        } catch (java.net.http.HttpTimeoutException e) {
            return Optional.of(new Answer(504, "no answer within " + timeout.toSeconds() + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
