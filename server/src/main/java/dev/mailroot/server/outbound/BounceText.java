package dev.mailroot.server.outbound;

import dev.mailroot.server.outbound.DeliveryStatusNotification.Kind;
import dev.mailroot.server.outbound.DeliveryStatusNotification.RecipientStatus;
import dev.mailroot.server.outbound.DeliveryStatusNotification.Report;

/**
 * The human-readable part of a {@link DeliveryStatusNotification}: which recipients, why in plain
 * words, the server's own words, and what happens next. Written for the person who sent the
 * mail, not for a postmaster; the technical part follows in the report.
 */
final class BounceText {
    private BounceText() {
    }

    /** The text, LF line ends. */
    static String of(Report report) {
        StringBuilder t = new StringBuilder();
        boolean failure = report.kind() == Kind.FAILURE;
        t.append("This is the mail system at ").append(report.reportingMta()).append(".\n\n");
        if (failure) {
            t.append(report.recipients().size() == 1
                    ? "Your message could not be delivered to this recipient:\n"
                    : "Your message could not be delivered to these recipients:\n");
        } else {
            t.append(report.recipients().size() == 1
                    ? "Your message has not been delivered to this recipient yet:\n"
                    : "Your message has not been delivered to these recipients yet:\n");
        }
        for (RecipientStatus r : report.recipients()) {
            t.append("\n  ").append(r.finalRecipient()).append('\n');
            t.append("    ").append(explain(r.status(), failure)).append('\n');
            if (r.diagnostic() != null) {
                t.append("    ").append(r.remoteMta() != null ? "The server " + r.remoteMta() + " said: " : "Reason: ")
                        .append(r.diagnostic()).append('\n');
            }
        }
        t.append('\n');
        if (failure) {
            t.append("The message will not be retried for ").append(report.recipients().size() == 1 ? "this recipient" : "these recipients")
                    .append(".\nIf you think the address is right, contact the recipient another way, or ask\n")
                    .append("your mail administrator and show them this message.\n");
        } else {
            RecipientStatus first = report.recipients().get(0);
            t.append("You do not need to do anything now: the mail system keeps trying");
            if (first.willRetryUntil() != null) {
                t.append(" until ").append(DeliveryStatusNotification.date(first.willRetryUntil()));
            }
            t.append(".\nIf it still cannot deliver the message by then, you will get another notice.\n");
        }
        t.append("\nYour message arrived on ").append(DeliveryStatusNotification.date(report.arrival()))
                .append(" (queue id ").append(report.messageId()).append(").\n");
        t.append(report.returnFullMessage() ? "Your message is attached below.\n"
                : "The headers of your message are attached below.\n");
        return t.toString();
    }

    /** What a status code means for the sender, in plain words (RFC 3463 codes as servers use them). */
    static String explain(String status, boolean failure) {
        String detail = status.length() > 2 ? status.substring(2) : "";
        String why = switch (detail) {
            case "1.1" -> "The address does not exist at the receiving server. Check it for typing mistakes.";
            case "1.2" -> "The domain of the address does not exist. Check the part after the @ for typing mistakes.";
            case "1.10" -> "The domain of the address does not accept any mail.";
            case "2.1" -> "The recipient's mailbox is disabled.";
            case "2.2" -> "The recipient's mailbox is full.";
            case "3.4", "2.3" -> "The message is too large for the receiving server. Try sending smaller attachments.";
            case "4.1", "4.2" -> "The receiving mail server could not be reached.";
            case "4.3" -> "The address of the receiving mail server could not be looked up.";
            case "4.7" -> "The mail system kept trying for too long and gave up.";
            default -> detail.startsWith("7.") ? "The receiving server refused the message for policy or security reasons (for example a spam filter)."
                    : failure ? "The receiving mail server refused the message." : "The receiving mail server asked to try again later.";
        };
        return why;
    }
}
