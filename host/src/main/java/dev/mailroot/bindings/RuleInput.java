package dev.mailroot.bindings;

import dev.mailroot.sink.Envelope;

import java.util.List;

/**
 * What a rule looks at: where the mail came from, the HELO/EHLO name, the envelope sender and the
 * recipients.
 *
 * @param ehlo       the HELO/EHLO name; empty for pickup mail and before HELO
 * @param mailFrom   the envelope sender; empty for the null sender; null when not known yet (protocol
 *                   events before MAIL FROM): a {@code MAIL FROM} clause is then false
 * @param recipients the envelope recipients (at OnRcptTo: the recipient being sent)
 * @param source     {@code smtp}, {@code pickup}, {@code sink} or a connector's name; empty if unknown
 */
public record RuleInput(String ehlo, String mailFrom, List<String> recipients, String source) {
    public RuleInput {
        ehlo = ehlo == null ? "" : ehlo;
        recipients = List.copyOf(recipients);
        source = source == null ? "" : source;
    }

    /** Without a source (a {@code SOURCE} clause is false), the sender known. */
    public RuleInput(String ehlo, String mailFrom, List<String> recipients) {
        this(ehlo, mailFrom == null ? "" : mailFrom, recipients, "");
    }

    public static RuleInput of(Envelope envelope) {
        return new RuleInput(envelope.helo().orElse(""), envelope.mailFrom(), envelope.recipients());
    }

    /** The envelope of a message that came from {@code source}. */
    public static RuleInput of(Envelope envelope, String source) {
        return new RuleInput(envelope.helo().orElse(""), envelope.mailFrom(), envelope.recipients(), source);
    }
}
