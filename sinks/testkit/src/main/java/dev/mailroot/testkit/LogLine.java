package dev.mailroot.testkit;

import org.slf4j.event.Level;

/**
 * One line a sink logged through {@link FakeSinkContext#logger()}.
 *
 * @param binding   the name of the binding whose context logged it
 * @param level     the level
 * @param message   the message with its {@code {}} placeholders filled in
 * @param throwable the throwable logged with it, or null
 */
public record LogLine(String binding, Level level, String message, Throwable throwable) {
    @Override
    public String toString() {
        return level + " [" + binding + "] " + message + (throwable == null ? "" : " " + throwable);
    }
}
