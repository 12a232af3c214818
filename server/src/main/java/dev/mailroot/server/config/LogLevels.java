package dev.mailroot.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code logging:} key: a level per component. A component is a server part ({@code smtp},
 * {@code pickup}, {@code spool}, {@code dispatch}, {@code delivery}, {@code plugins},
 * {@code admin}...), a plugin id ({@code pop3-connector}), {@code root}, or a full logger name.
 */
public final class LogLevels {
    static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");
    private static final Set<String> SERVER_PARTS = Set.of("smtp", "admission", "pickup", "spool", "dispatch", "delivery", "plugins",
            "admin", "badmail", "pipeline", "config", "message", "address");

    private LogLevels() {
    }

    /** The logger a component name stands for. */
    public static String loggerName(String component) {
        if (component.equals("root")) {
            return org.slf4j.Logger.ROOT_LOGGER_NAME;
        }
        if (SERVER_PARTS.contains(component)) {
            return "dev.mailroot.server." + component;
        }
        if (component.contains(".")) {
            return component;
        }
        return "plugin." + component;
    }

    /** Applies the levels (only when Logback is the SLF4J backend, as in the server). */
    public static void apply(Map<String, String> levels) {
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext)) {
            return;
        }
        levels.forEach((component, level) -> ((Logger) LoggerFactory.getLogger(loggerName(component)))
                .setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT))));
    }
}
