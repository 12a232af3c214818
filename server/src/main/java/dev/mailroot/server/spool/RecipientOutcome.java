package dev.mailroot.server.spool;

/**
 * A recipient a sink took out of the message with a fate of its own.
 *
 * @param recipient the address
 * @param kind      {@code REJECT}, {@code BADMAIL} or {@code DROP} (a {@link dev.mailroot.sink.RecipientFate.Kind})
 * @param reason    the sink's reason
 * @param binding   the binding that decided ("name {id}")
 */
public record RecipientOutcome(String recipient, String kind, String reason, String binding) {
}
