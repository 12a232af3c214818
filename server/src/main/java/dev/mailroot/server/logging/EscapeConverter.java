package dev.mailroot.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;
import dev.mailroot.bindings.ControlCharacters;

/**
 * {@code %escape(...)} in a Logback pattern: what it wraps is written with its control characters
 * escaped ({@code \n}, {@code \x1b}, ...; {@link ControlCharacters}), so a file name, an address or
 * a binding name that holds a newline cannot start a forged log line and one that holds an ESC
 * cannot drive the terminal of whoever reads the log. The patterns wrap the MDC values and the
 * thread name with it, and write the message with {@link EscapedMessageConverter}; stack traces
 * ({@code %ex}) stay outside and keep their lines. Follow {@code %escape(...)} with literal text:
 * Logback 1.5 takes a {@code %} word right after a closing parenthesis as literal text.
 */
public final class EscapeConverter extends CompositeConverter<ILoggingEvent> {
    @Override
    protected String transform(ILoggingEvent event, String in) {
        return ControlCharacters.escape(in);
    }
}
