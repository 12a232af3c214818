package dev.mailroot.server.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gauges that need the file system: files in badmail, poison, quarantine and pop3/failed,
 * pickup files waiting and the oldest one's age, usable disk bytes of the home. Counted once a
 * {@code period} on a thread of its own and cached, so that a scrape never walks a folder.
 */
public final class FolderGauges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FolderGauges.class);

    private final Map<String, Path> folders;
    private final Path pickup;
    private final Path home;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private volatile Counts counts = new Counts(Map.of(), 0, null, Double.NaN);

    /** One count of everything. */
    private record Counts(Map<String, Integer> files, int pickupPending, Instant pickupOldest, double diskUsable) {
    }

    /**
     * @param folders folder label to folder ({@code badmail}, {@code poison}, ...); a missing folder counts 0
     * @param pickup  the pickup folder (its {@code .eml} files are counted; claimed ones are not)
     * @param home    the home, whose file store's usable space is reported
     */
    public FolderGauges(ServerMetrics metrics, Map<String, Path> folders, Path pickup, Path home, Clock clock) {
        this.folders = new LinkedHashMap<>(folders);
        this.pickup = pickup;
        this.home = home;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-folders");
            t.setDaemon(true);
            return t;
        });
        metrics.gauges("mailroot.folder.files", "Files in a folder of set-aside mail (counted once a minute), by folder", null,
                "folder", () -> counts.files());
        metrics.gauge("mailroot.pickup.pending", "Pickup files waiting to be picked up (counted once a minute)", null,
                this, g -> g.counts.pickupPending());
        metrics.gauge("mailroot.pickup.oldest.age", "Age of the oldest pickup file waiting (0 when none; counted once a minute)",
                "seconds", this, g -> {
                    Instant oldest = g.counts.pickupOldest();
                    return oldest == null ? 0 : Math.max(0, Duration.between(oldest, g.clock.instant()).toMillis() / 1000.0);
                });
        metrics.gauge("mailroot.disk.usable", "Usable bytes on the file system of the server's home (read once a minute)", "bytes",
                this, g -> g.counts.diskUsable());
    }

    /** Counts now, then every {@code period}. */
    public FolderGauges start(Duration period) {
        refresh();
        timer.scheduleWithFixedDelay(this::refresh, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Counts now (on the caller's thread). */
    public void refresh() {
        try {
            Map<String, Integer> files = new LinkedHashMap<>();
            folders.forEach((label, dir) -> files.put(label, count(dir)));
            int pending = 0;
            Instant oldest = null;
            if (Files.isDirectory(pickup)) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(pickup, "*.eml")) {
                    for (Path p : s) {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        pending++;
                        Instant t = a.lastModifiedTime().toInstant();
                        oldest = oldest == null || t.isBefore(oldest) ? t : oldest;
                    }
                }
            }
            double usable = Double.NaN;
            try {
                usable = Files.getFileStore(home).getUsableSpace();
            } catch (IOException e) {
                log.debug("cannot read the usable space of {}: {}", home, e.toString());
            }
            counts = new Counts(files, pending, oldest, usable);
        } catch (IOException | RuntimeException e) {
            log.debug("counting the folders for the metrics failed: {}", e.toString());
        }
    }

    /** Regular files directly in {@code dir}, not hidden; a reason file ({@code .bdr}, {@code .reason}) beside a message does not count. */
    private static int count(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && !name.endsWith(".bdr") && !name.endsWith(".reason")
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    n++;
                }
            }
        } catch (IOException e) {
            log.debug("cannot count {}: {}", dir, e.toString());
        }
        return n;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
