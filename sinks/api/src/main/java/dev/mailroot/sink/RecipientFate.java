package dev.mailroot.sink;

import java.util.Objects;

/**
 * What happens to one recipient of a message, decided by a sink with
 * {@link Submission#setRecipientFate(String, RecipientFate)} while the other recipients go on (the
 * role of a James {@code Matcher} selecting a subset). The recipient leaves the envelope at once, so
 * later sinks no longer see it (the bindings that run were chosen when the chain started); its
 * outcome is recorded in the message's trace and in the message-tracking log. When no recipient is
 * left, the chain ends.
 *
 * @param kind   what happens to the recipient
 * @param reason why, for the log, the trace and the badmail reason file
 */
public record RecipientFate(Kind kind, String reason) {
    /** The possible fates of one recipient. */
    public enum Kind {
        /**
         * Refused: a permanent failure for this recipient, recorded with the reason. Its copy goes to
         * badmail as a delivery that failed permanently does.
         */
        REJECT,
        /** This recipient's copy goes to badmail with the reason. */
        BADMAIL,
        /** Delivered nowhere, silently for the sender; the trace and the tracking log record it. */
        DROP
    }

    public RecipientFate {
        Objects.requireNonNull(kind, "kind");
        reason = reason == null ? "" : reason;
    }

    public static RecipientFate reject(String reason) {
        return new RecipientFate(Kind.REJECT, reason);
    }

    public static RecipientFate badmail(String reason) {
        return new RecipientFate(Kind.BADMAIL, reason);
    }

    public static RecipientFate drop(String reason) {
        return new RecipientFate(Kind.DROP, reason);
    }
}
