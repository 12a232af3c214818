package dev.mailroot.server.logging;

import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.recovery.ResilientFileOutputStream;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Says on stderr, once, that the log file cannot be written (a full disk, a {@code logs/} folder
 * the server may not write), and once when it is written again. Logback only records such a
 * failure in its status list, which nobody reads while the server runs, so without this the log
 * file would stop silently; a listener that printed every status would print a line for every lost
 * log line. Registered in {@code logback.xml}.
 *
 * <p>Logback reports a recovery as soon as a write into its buffer succeeds, even when the flush
 * that follows fails again (a disk still full), so a recovery counts only once no error has come
 * for {@value #CONFIRM_MILLIS} ms after it.
 *
 * <p>Registering a status listener stops Logback from printing its status list when its
 * configuration has errors, so any other error Logback reports is printed here instead: one line
 * each, without a stack trace, once per distinct message. Called by Logback from any thread.
 */
public final class LogFileStatusListener implements StatusListener {
    static final long CONFIRM_MILLIS = 2000;

    private final PrintStream err;
    private final Set<String> said = new HashSet<>();
    private boolean failing;
    /** When Logback last reported a recovery not yet confirmed (nanoTime), or -1. */
    private long recoveredAt = -1;
    private ScheduledExecutorService confirmer;

    /** Prints to the process's stderr (how Logback makes it). */
    public LogFileStatusListener() {
        this(System.err);
    }

    LogFileStatusListener(PrintStream err) {
        this.err = err;
    }

    @Override
    public synchronized void addStatusEvent(Status status) {
        Object origin = status.getOrigin();
        String file = origin instanceof FileAppender<?> a ? a.getFile()
                : origin instanceof ResilientFileOutputStream s ? s.getFile().getPath() : null;
        if (file != null) {
            if (status.getLevel() == Status.ERROR) {
                recoveredAt = -1; // a recovery just reported was not one
                if (!failing) {
                    failing = true;
                    err.println("mailroot: MR1018 cannot write the log file " + file + cause(status)
                            + "; log lines go only to the console until it can be written again");
                    err.flush();
                }
            } else if (status.getLevel() == Status.INFO && failing
                    && String.valueOf(status.getMessage()).startsWith("Recovered from IO failure")) {
                recoveredAt = System.nanoTime();
                confirmLater(file);
            }
            return;
        }
        if (status.getLevel() == Status.ERROR && said.add(String.valueOf(status.getMessage()))) {
            err.println("mailroot: logging: " + oneLine(String.valueOf(status.getMessage())) + cause(status));
            err.flush();
        }
    }

    private void confirmLater(String file) {
        if (confirmer == null) {
            confirmer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "log-file-status");
                t.setDaemon(true);
                return t;
            });
        }
        confirmer.schedule(() -> confirm(file), CONFIRM_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void confirm(String file) {
        if (failing && recoveredAt >= 0 && System.nanoTime() - recoveredAt >= CONFIRM_MILLIS * 1_000_000L) {
            failing = false;
            recoveredAt = -1;
            err.println("mailroot: MR1018 the log file " + file + " is written again");
            err.flush();
        }
    }

    private static String cause(Status status) {
        Throwable t = status.getThrowable();
        return t == null ? "" : " (" + oneLine(t.toString()) + ")";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
