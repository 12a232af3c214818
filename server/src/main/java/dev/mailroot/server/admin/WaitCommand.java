package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code mailroot wait}: waits until the server of a home answers {@code GET /health}, then prints
 * the same ready line the server prints when it starts. For scripts and the README's quick try:
 * {@code bin/mailroot & bin/mailroot wait && send...}.
 */
@Command(name = "wait", mixinStandardHelpOptions = true,
        description = "Waits until the home's server is ready (its admin endpoint answers GET /health), then prints "
                + "where it listens. Exit 0 when ready, 1 if it is not ready within the timeout, 2 on a usage error.",
        footer = {"", "Example:", "  bin/mailroot --home /srv/mailroot & bin/mailroot wait --home /srv/mailroot --timeout 30"})
public final class WaitCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    HomeOptions options;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait (default: ${DEFAULT-VALUE}); 0 asks once.")
    int timeoutSeconds;
    @Spec
    CommandSpec spec;

    /** {@code mailroot: ready: SMTP 127.0.0.1:2525, admin 127.0.0.1:8025, home /srv/mailroot}: printed by the server and by this command. */
    public static String readyLine(String smtp, int adminPort, String home) {
        return ControlCharacters.escape("mailroot: ready: SMTP " + smtp + ", admin 127.0.0.1:" + adminPort + ", home " + home);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (timeoutSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be 0 or more seconds, not " + timeoutSeconds);
        }
        Home h = options.home();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        String why;
        while (true) {
            try {
                AdminClient admin = AdminClient.of(h.root()).timeout(Duration.ofSeconds(5));
                AdminClient.Response r = admin.get("/health");
                JsonNode health = r.ok() ? JSON.readTree(r.body()) : null;
                if (health != null && sameHome(health.path("home").asText(), h.root())) {
                    spec.commandLine().getOut().println(readyLine(health.path("smtp").asText(), admin.port(),
                            h.root().toString()));
                    return 0;
                }
                why = health == null ? "GET /health answered " + r.status()
                        : "127.0.0.1:" + admin.port() + " is the server of another home, " + health.path("home").asText();
            } catch (IOException e) {
                why = e.getMessage();
            }
            if (System.nanoTime() - deadline >= 0) {
                CommandOutput.error(spec.commandLine().getErr(), "not ready within " + timeoutSeconds + " s: " + why);
                return 1;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static boolean sameHome(String reported, Path home) {
        try {
            return Path.of(reported).toRealPath().equals(home.toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
