package dev.mailroot.sink.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * {@code RCPT TO}: one recipient and its ESMTP parameters ({@code NOTIFY}, {@code ORCPT}, ...).
 * A reject refuses this recipient only; the others of the transaction go on.
 *
 * @param recipient  the address as it will be spooled
 * @param parameters the ESMTP parameters, names upper case; empty for mail without a session
 * @param known      whether the recipient is a known mailbox of the directory (its mailbox exists,
 *                   or it is {@code postmaster}); false for a mailbox that the first delivery would
 *                   create ({@code mailboxes.autoCreate: true})
 */
public record RcptToCommand(String recipient, Map<String, String> parameters, boolean known) {
    public RcptToCommand {
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /** A parameter's value, by name in any case. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toUpperCase(java.util.Locale.ROOT)));
    }
}
