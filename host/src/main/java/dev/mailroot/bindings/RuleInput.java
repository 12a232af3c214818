package dev.mailroot.bindings;

import dev.mailroot.sink.Envelope;

import java.util.List;

/**
 * What a rule looks at: the HELO/EHLO name, the envelope sender and the recipients.
 *
 * @param ehlo       the HELO/EHLO name; empty for pickup mail
 * @param mailFrom   the envelope sender; empty for the null sender
 * @param recipients the envelope recipients
 */
public record RuleInput(String ehlo, String mailFrom, List<String> recipients) {
    public RuleInput {
        ehlo = ehlo == null ? "" : ehlo;
        mailFrom = mailFrom == null ? "" : mailFrom;
        recipients = List.copyOf(recipients);
    }

    public static RuleInput of(Envelope envelope) {
        return new RuleInput(envelope.helo().orElse(""), envelope.mailFrom(), envelope.recipients());
    }
}
