package dev.mailroot.server.doctor;

import dev.mailroot.server.plugins.PluginHost;
import dev.mailroot.sink.CommandResult;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The server as its own doctor sees it: the same answers the admin endpoint gives, taken directly.
 */
public final class InProcessView implements ServerView {
    private final Supplier<String> health;
    private final Supplier<String> bindings;
    private final Supplier<String> queue;
    private final PluginHost plugins;

    /**
     * @param health   {@code /health}'s JSON
     * @param bindings {@code /bindings}'s JSON
     * @param queue    {@code /queue}'s JSON lines
     * @param plugins  where connector commands go; null without plugins
     */
    public InProcessView(Supplier<String> health, Supplier<String> bindings, Supplier<String> queue, PluginHost plugins) {
        this.health = health;
        this.bindings = bindings;
        this.queue = queue;
        this.plugins = plugins;
    }

    @Override
    public Optional<String> health() {
        return Optional.of(health.get());
    }

    @Override
    public String bindings() {
        return bindings.get();
    }

    @Override
    public String queue() {
        return queue.get();
    }

    @Override
    public Optional<Answer> connector(String plugin, String command, Duration timeout) throws IOException {
        if (plugins == null) {
            return Optional.empty();
        }
        try {
            return plugins.command(plugin, command, Map.of(), timeout).map(r -> new Answer(
                    r.outcome() == CommandResult.Outcome.OK ? 200 : r.outcome() == CommandResult.Outcome.FAILED ? 500 : 404, r.report()));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(String.valueOf(e), e);
        }
    }
}
