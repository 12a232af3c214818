package dev.mailroot.server.console;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last warnings and errors the server logged, kept in memory for the console's status page (the
 * log file has them all): attached to the root logger while the server runs.
 */
public final class RecentProblems extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** One logged warning or error. */
    public record Problem(Instant time, String level, String logger, String message) {
    }

    private static final int KEEP = 50;
    private final Deque<Problem> last = new ArrayDeque<>();

    /** Starts collecting from the root logger (does nothing when Logback is not the SLF4J binding). */
    public static RecentProblems attach() {
        RecentProblems r = new RecentProblems();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            r.setContext(ctx);
            r.setName("mailroot-recent-problems");
            r.start();
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(r);
        }
        return r;
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (!e.getLevel().isGreaterOrEqual(Level.WARN)) {
            return;
        }
        String msg = e.getFormattedMessage();
        Problem p = new Problem(Instant.ofEpochMilli(e.getTimeStamp()), e.getLevel().toString(), e.getLoggerName(),
                msg.length() > 500 ? msg.substring(0, 500) + "..." : msg);
        synchronized (last) {
            if (last.size() == KEEP) {
                last.removeFirst();
            }
            last.addLast(p);
        }
    }

    /** Newest first. */
    public List<Problem> newestFirst(int max) {
        synchronized (last) {
            List<Problem> out = new ArrayList<>(last);
            java.util.Collections.reverse(out);
            return out.subList(0, Math.min(max, out.size()));
        }
    }

    @Override
    public void close() {
        if (getContext() instanceof LoggerContext ctx) {
            Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.detachAppender(this);
        }
        stop();
    }
}
