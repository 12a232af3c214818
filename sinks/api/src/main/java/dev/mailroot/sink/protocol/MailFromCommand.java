package dev.mailroot.sink.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * {@code MAIL FROM}: the sender and its ESMTP parameters ({@code SIZE}, {@code BODY},
 * {@code SMTPUTF8}, {@code RET}, {@code ENVID}, {@code AUTH}, ...), names upper case, values as
 * sent ({@code ""} for a parameter without a value).
 *
 * @param sender     the address; {@code ""} for the null sender {@code <>}
 * @param parameters the ESMTP parameters, in order; empty for mail without a session
 */
public record MailFromCommand(String sender, Map<String, String> parameters) {
    public MailFromCommand {
        sender = sender == null ? "" : sender;
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /** A parameter's value, by name in any case. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toUpperCase(java.util.Locale.ROOT)));
    }

    /** Whether this is the null sender {@code <>} (bounces and other automatic mail). */
    public boolean isNullSender() {
        return sender.isEmpty();
    }
}
