package dev.mailroot.sink.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * {@code RCPT TO}: one recipient and its ESMTP parameters ({@code NOTIFY}, {@code ORCPT}, ...).
 * A reject refuses this recipient only; the others of the transaction go on.
 *
 * @param recipient  the address as it will be spooled
 * @param parameters the ESMTP parameters, names upper case; empty for mail without a session
 */
public record RcptToCommand(String recipient, Map<String, String> parameters) {
    public RcptToCommand {
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /** A parameter's value, by name in any case. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toUpperCase(java.util.Locale.ROOT)));
    }
}
