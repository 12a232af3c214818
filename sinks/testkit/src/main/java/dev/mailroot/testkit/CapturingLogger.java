package dev.mailroot.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.util.List;

/**
 * The logger a {@link FakeSinkContext} hands a sink: it records every line at every level (see
 * {@link FakeSinkContext#lines()}), and passes it on to the SLF4J logger of the same name, so a
 * test's own logging set-up shows it too.
 */
final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient List<LogLine> lines;
    private final String binding;
    private final transient Logger delegate;

    CapturingLogger(String name, String binding, List<LogLine> lines) {
        this.name = name;
        this.binding = binding;
        this.lines = lines;
        this.delegate = LoggerFactory.getLogger(name);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        String message = MessageFormatter.basicArrayFormat(pattern, args);
        synchronized (lines) {
            lines.add(new LogLine(binding, level, message, t));
        }
        delegate.atLevel(level).setCause(t).log(message);
    }

    @Override
    public boolean isTraceEnabled() {
        return true;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
