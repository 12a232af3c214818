package dev.mailroot.server.plugins;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mailroot.sink.ServiceConfigException;
import dev.mailroot.sink.ServiceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link ServiceContext} the server gives one plugin service. */
final class HostServiceContext implements ServiceContext {
    private static final ObjectMapper YAML = new YAMLMapper();

    private final String pluginId;
    private final ServiceEnvironment env;
    private final Path data;
    private final ClassLoader loader;
    private ScheduledExecutorService scheduler;
    private final dev.mailroot.sink.ServiceMetrics metrics;

    HostServiceContext(String pluginId, String dataFolder, ServiceEnvironment env, ClassLoader loader) throws IOException {
        this.pluginId = pluginId;
        this.env = env;
        this.loader = loader;
        this.metrics = env.metrics().apply(pluginId);
        String folder = dataFolder == null || dataFolder.isBlank() ? pluginId : dataFolder;
        if (folder.contains("/") || folder.contains("\\") || folder.startsWith(".")) {
            throw new IOException("plugin '" + pluginId + "' asks for an unsafe data folder name: " + folder);
        }
        this.data = Files.createDirectories(env.mailroot().resolve(folder));
    }

    @Override
    public String pluginId() {
        return pluginId;
    }

    @Override
    public Path pickupDirectory() {
        return env.pickup();
    }

    @Override
    public Path dataDirectory() {
        return data;
    }

    @Override
    public Path configFile() {
        return env.conf().resolve(pluginId + ".yaml");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> readConfig() throws ServiceConfigException {
        Path file = configFile();
        try {
            String text = Files.readString(file);
            if (text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                return new LinkedHashMap<>(); // an empty file (or only comments) is an empty configuration
            }
            Object tree = YAML.readValue(text, Object.class);
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
            String msg = e.getOriginalMessage() == null ? String.valueOf(e.getMessage()) : e.getOriginalMessage();
            throw new ServiceConfigException(file + where + ": not valid YAML: " + msg.lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ServiceConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    @Override
    public dev.mailroot.sink.ServiceMetrics metrics() {
        return metrics;
    }

    @Override
    public List<String> localDomains() {
        return env.domains();
    }

    @Override
    public synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            AtomicInteger n = new AtomicInteger();
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(2, r -> {
                Thread t = new Thread(r, pluginId + "-" + n.incrementAndGet());
                t.setDaemon(true);
                t.setContextClassLoader(loader);
                return t;
            }) {
                @Override
                protected void afterExecute(Runnable r, Throwable t) {
                    reportFailure(r);
                }
            };
            s.setRemoveOnCancelPolicy(true);
            scheduler = s;
        }
        return scheduler;
    }

    /**
     * Says when a task of the service threw (anything, Errors included): the executor would keep it
     * to itself, and a periodic task that throws is never run again, so a connector could stop
     * fetching mail without a word.
     */
    private void reportFailure(Runnable r) {
        if (!(r instanceof java.util.concurrent.RunnableScheduledFuture<?> f) || !f.isDone() || f.isCancelled()) {
            return;
        }
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Logger log = LoggerFactory.getLogger(PluginHost.class);
            log.error("MR4009 plugin '{}': a {} task of its service failed{}: {}", pluginId,
                    f.isPeriodic() ? "repeating" : "scheduled", f.isPeriodic() ? " and will not run again until the plugin "
                            + "is reloaded" : "", PluginCode.describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.CancellationException e) {
            // cancelled: not a failure
        }
    }

    @Override
    public Logger logger() {
        return LoggerFactory.getLogger(loggerName(pluginId));
    }

    static String loggerName(String pluginId) {
        return "plugin." + pluginId;
    }

    /** Stops the scheduler, waiting up to {@code seconds} for running work. */
    synchronized void shutdown(long seconds) {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(seconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
