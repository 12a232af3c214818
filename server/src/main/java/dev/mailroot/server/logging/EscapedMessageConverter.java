package dev.mailroot.server.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.mailroot.bindings.ControlCharacters;

/**
 * {@code %escapedMsg} in a Logback pattern: the message ({@code %msg}) with its control characters
 * escaped ({@link ControlCharacters}). A converter of its own rather than {@code %escape(%msg)}:
 * Logback 1.5 takes a {@code %n} right after a closing parenthesis as literal text.
 */
public final class EscapedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return ControlCharacters.escape(super.convert(event));
    }
}
