package dev.mailroot.filters;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mailroot.sink.ServiceConfigException;
import dev.mailroot.sink.ServiceContext;
import dev.mailroot.testkit.FakeSinkContext;
import dev.mailroot.testkit.LogLine;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link ServiceContext} over a home in a temporary folder: {@code conf/filters.yaml} read as
 * the server reads it (Jackson's YAML, the same messages), a real scheduler, a logger that records.
 */
final class FakeServiceContext implements ServiceContext, AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Path home;
    private final FakeSinkContext logs = FakeSinkContext.withProperties();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    FakeServiceContext(Path home) {
        this.home = home;
    }

    List<LogLine> lines() {
        return logs.lines();
    }

    @Override
    public String pluginId() {
        return "filters";
    }

    @Override
    public Path pickupDirectory() {
        return home.resolve("mailroot/pickup");
    }

    @Override
    public Path dataDirectory() {
        return home.resolve("mailroot/filters");
    }

    @Override
    public Path configFile() {
        return home.resolve("conf/filters.yaml");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> readConfig() throws ServiceConfigException {
        Path file = configFile();
        try {
            Object tree = YAML.readValue(Files.readString(file), Object.class);
            if (tree == null) {
                return new LinkedHashMap<>();
            }
            if (!(tree instanceof Map)) {
                throw new ServiceConfigException(file + ": expected keys at the top, found a " + tree.getClass().getSimpleName());
            }
            return (Map<String, Object>) tree;
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new ServiceConfigException(file + where + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ServiceConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    @Override
    public List<String> localDomains() {
        return List.of("example.com");
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Logger logger() {
        return logs.logger();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
