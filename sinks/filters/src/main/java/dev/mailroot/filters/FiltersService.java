package dev.mailroot.filters;

import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;
import dev.mailroot.sink.ServiceConfigException;
import dev.mailroot.sink.ServiceContext;
import org.pf4j.Extension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code conf/filters.yaml} at start and again whenever it changes (its modification time,
 * size or inode, looked at every second), and puts each good version in force for the sinks
 * ({@link CurrentFilters}). A file with problems is reported once per change ({@code MR2101}: the
 * file, and the line or the key), and the last good configuration stays in force. A missing file
 * means the embedded defaults: every list empty. Answers the command {@code check}
 * ({@code bin/mailroot connector filters check}).
 */
@Extension
public final class FiltersService implements MailrootService {
    /** How often the file's modification time is looked at. */
    static final long POLL_MILLIS = 1000;

    private final Clock clock;
    private ScheduledFuture<?> poll;
    private static final Object NOT_READ = new Object();
    private Object seen = NOT_READ; // the file's state when last read

    public FiltersService() {
        this(Clock.systemUTC());
    }

    FiltersService(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void start(ServiceContext context) {
        reload(context);
        poll = context.scheduler().scheduleWithFixedDelay(() -> reload(context), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (poll != null) {
            poll.cancel(false);
        }
        Filters old = CurrentFilters.set(null);
        if (old != null) {
            old.close();
        }
    }

    @Override
    public CommandResult command(String command, Map<String, String> parameters, ServiceContext context) {
        if (!command.equals("check")) {
            return CommandResult.unknown(command);
        }
        try {
            FiltersConfig c = read(context);
            return CommandResult.ok(context.configFile() + ": " + summary(c));
        } catch (ServiceConfigException e) {
            return CommandResult.failed(e.getMessage());
        } catch (ConfigParser.Invalid e) {
            return CommandResult.failed(String.join("\n", e.problems()));
        }
    }

    /** Reads the file if it changed since the last look; puts it in force if it is good. Runs on the scheduler. */
    synchronized void reload(ServiceContext context) {
        Object state = state(context);
        if (Objects.equals(state, seen)) {
            return;
        }
        seen = state;
        try {
            FiltersConfig config = read(context);
            Filters old = CurrentFilters.set(new Filters(config, clock));
            context.logger().info("MR2102 filters configuration {} from {}: {}", old == null ? "loaded" : "reloaded",
                    state == null ? "(embedded defaults, no file)" : context.configFile(), summary(config));
            // the old filters' lookups may still be in flight: their thread pool ends when idle, not now
        } catch (ServiceConfigException e) {
            context.logger().error("MR2101 {}; the filters keep their last good configuration", e.getMessage());
        } catch (ConfigParser.Invalid e) {
            for (String p : e.problems()) {
                context.logger().error("MR2101 {}", p);
            }
            context.logger().error("MR2101 {} has {} problem(s); the filters keep their last good configuration",
                    context.configFile(), e.problems().size());
        }
    }

    private static FiltersConfig read(ServiceContext context) throws ServiceConfigException, ConfigParser.Invalid {
        return ConfigParser.parse(context.readConfig(), String.valueOf(context.configFile()));
    }

    /** What identifies a version of the file: modification time, size and inode; null if there is none. */
    private static Object state(ServiceContext context) {
        try {
            BasicFileAttributes a = Files.readAttributes(context.configFile(), BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return List.of("unreadable", e.toString());
        }
    }

    private static String summary(FiltersConfig c) {
        var conn = c.connection();
        var content = c.content();
        return "connection: " + conn.allow().size() + " allowed, " + conn.deny().size() + " denied network(s), DNS block lists "
                + conn.dnsbl().zones().stream().map(FiltersConfig.Zone::zone).toList()
                + "; sender: " + c.sender().blocked().size() + " blocked" + (c.sender().blockBlank() ? " and <>" : "")
                + " (" + c.sender().action().name().toLowerCase(java.util.Locale.ROOT) + ")"
                + "; recipient: " + c.recipient().blocked().size() + " blocked" + (c.recipient().rejectUnknown() ? ", unknown refused" : "")
                + "; content: " + content.engine().name().toLowerCase(java.util.Locale.ROOT)
                + (content.engine() == FiltersConfig.Engine.NONE ? "" : " at " + content.host() + ":" + content.port());
    }
}
