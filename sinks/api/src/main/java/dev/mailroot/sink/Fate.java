package dev.mailroot.sink;

import java.time.Duration;
import java.util.Objects;

/**
 * What happens to a message after the OnSubmission sinks ran, as IIS's {@code messagestatus}
 * envelope field ({@code cdoStatSuccess}, {@code cdoStatAbortDelivery}, {@code cdoStatBadMail},
 * and the {@code RETRY} a sink could ask for), or Haraka's {@code OK}/{@code DENY}/{@code DENYSOFT}.
 * It is the fate of the whole message; {@link RecipientFate} decides for one recipient.
 *
 * @param kind       the fate
 * @param reason     why: written to the log, the message's trace and, for {@link Kind#BADMAIL}, to
 *                   the badmail reason file; empty for {@link Kind#DELIVER}
 * @param retryAfter for {@link Kind#DEFER}: how long the message waits before the chain runs again
 *                   ({@link Duration#ZERO}: the server's back-off decides); zero for the other kinds
 */
public record Fate(Kind kind, String reason, Duration retryAfter) {
    /** The possible fates of a message. */
    public enum Kind {
        /** Deliver to the (possibly rewritten) recipients. The default. */
        DELIVER,
        /** Deliver nowhere. The message is dropped; the log records the binding and the reason. */
        ABORT_DELIVERY,
        /** Deliver nowhere; keep the message in badmail with the reason beside it. */
        BADMAIL,
        /**
         * Not now: the message stays in the spool with what the sinks before this one changed, and
         * after a back-off the chain runs again from the binding that deferred. When the message has
         * waited longer than {@code delivery.giveUpAfterHours} (default 24) since it arrived it goes to badmail with
         * the last reason. For a sink whose backend (a virus scanner, a database) is down.
         */
        DEFER
    }

    private static final Fate DELIVER = new Fate(Kind.DELIVER, "", Duration.ZERO);

    public Fate {
        Objects.requireNonNull(kind, "kind");
        reason = reason == null ? "" : reason;
        retryAfter = retryAfter == null || retryAfter.isNegative() || kind != Kind.DEFER ? Duration.ZERO : retryAfter;
    }

    /** A fate without a retry time (every kind but {@link Kind#DEFER} has none). */
    public Fate(Kind kind, String reason) {
        this(kind, reason, Duration.ZERO);
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

    /**
     * Keep the message and run the chain again from this binding after {@code retryAfter}
     * ({@link Duration#ZERO} or null: the server's back-off: 30 s, doubling up to 30 minutes).
     * The deferring call's own changes are undone; earlier sinks' changes are kept.
     */
    public static Fate defer(String reason, Duration retryAfter) {
        return new Fate(Kind.DEFER, reason, retryAfter);
    }

    /** True unless the message is to be delivered (the chain ends after the sink that set it). */
    public boolean stopsDelivery() {
        return kind != Kind.DELIVER;
    }
}
