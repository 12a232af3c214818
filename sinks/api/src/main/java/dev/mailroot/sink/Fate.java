package dev.mailroot.sink;

import java.util.Objects;

/**
 * What happens to a message after the OnSubmission sinks ran, as IIS's {@code messagestatus}
 * envelope field ({@code cdoStatSuccess}, {@code cdoStatAbortDelivery}, {@code cdoStatBadMail}).
 *
 * @param kind   the fate
 * @param reason why, for {@link Kind#ABORT_DELIVERY} and {@link Kind#BADMAIL}: written to the log
 *               and to the badmail reason file; empty for {@link Kind#DELIVER}
 */
public record Fate(Kind kind, String reason) {

    /** The possible fates of a message. */
    public enum Kind {
        /** Deliver to the (possibly rewritten) recipients. The default. */
        DELIVER,
        /** Deliver nowhere. The message is dropped; the log records the binding and the reason. */
        ABORT_DELIVERY,
        /** Deliver nowhere; keep the message in badmail with the reason beside it. */
        BADMAIL
    }

    private static final Fate DELIVER = new Fate(Kind.DELIVER, "");

    public Fate {
        Objects.requireNonNull(kind, "kind");
        reason = reason == null ? "" : reason;
    }

    /** The default fate: deliver. */
    public static Fate deliver() {
        return DELIVER;
    }

    /** Drop the message, recording {@code reason}. */
    public static Fate abortDelivery(String reason) {
        return new Fate(Kind.ABORT_DELIVERY, reason);
    }

    /** Send the message to badmail with {@code reason}. */
    public static Fate badmail(String reason) {
        return new Fate(Kind.BADMAIL, reason);
    }

    /** True unless the message is to be delivered. */
    public boolean stopsDelivery() {
        return kind != Kind.DELIVER;
    }
}
