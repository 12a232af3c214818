package dev.mailroot.server.directory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The directory in force: {@code conf/mailboxes.yaml} as last read well, watched (every 500 ms)
 * and reloaded when it changes. A file with a problem is reported ({@code MR3102}, every problem
 * with its line) and the last good directory stays in force; a removed file means no directory
 * (every local part is a mailbox again, as {@code mailboxes.autoCreate} says). Thread-safe.
 */
public final class LiveDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveDirectory.class);

    private final DirectoryFile file;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "directory-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile Optional<Directory> current = Optional.empty();
    private volatile Object loadedStamp = new Object();

    public LiveDirectory(DirectoryFile file) {
        this.file = file;
    }

    public DirectoryFile file() {
        return file;
    }

    /** Reads the file now, then watches it. */
    public LiveDirectory start() {
        reloadIfChanged();
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, 500, 500, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The directory in force; empty when there is no {@code conf/mailboxes.yaml}. */
    public Optional<Directory> current() {
        return current;
    }

    /** Reads the file if it changed since the last read (also called by tools after they wrote it). */
    public synchronized void reloadIfChanged() {
        Object stamp = file.stamp();
        if (Objects.equals(stamp, loadedStamp)) {
            return;
        }
        try {
            Optional<Directory> d = file.read();
            current = d;
            if (d.isEmpty()) {
                log.info("MR3101 no mailbox directory ({} does not exist): every local part is a mailbox, as "
                        + "mailboxes.autoCreate says", file.path());
            } else {
                log.info("MR3101 mailbox directory loaded from {}: {} mailbox(es), {} group(s), {} catch-all(s)", file.path(),
                        d.get().mailboxes().size(), d.get().groups().size(), d.get().catchAll().size());
            }
        } catch (DirectoryFile.DirectoryException e) {
            for (String p : e.problems()) {
                log.error("MR3102 {}: {}", file.path(), p);
            }
            log.error("MR3102 {} has {} problem(s); the last good directory stays in force", file.path(), e.problems().size());
        } catch (IOException e) {
            log.error("MR3102 cannot read {}: {}; the last good directory stays in force", file.path(), e.toString());
        }
        loadedStamp = stamp;
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
