package dev.mailroot.bindings;

import java.util.Locale;

/**
 * A binding's status as {@code registry enum} shows it and the running server reports it: one
 * wording for both, so scripts can match it. The sink properties the server itself reads
 * ({@code onError}, {@code onMissing}, {@code timeoutMs}) are interpreted here too.
 */
public final class BindingStatus {
    private BindingStatus() {
    }

    /** The binding runs when its rule matches. */
    public static final String OK = "ok";

    /** The stable beginning of the status of a binding whose sink class no plugin provides. */
    public static final String MISSING = "sink class not provided by any plugin in plugins/";

    /** What a binding whose sink is not loaded means for its mail. */
    public enum OnMissing {
        /** Mail passes without the sink (the default). */
        SKIP,
        /** Mail waits in the spool, retried, until the sink is back. */
        TEMPFAIL
    }

    /** The binding's {@code onMissing}: {@code skip} unless it says {@code tempfail}. */
    public static OnMissing onMissing(Binding b) {
        return "tempfail".equals(property(b, "onMissing")) ? OnMissing.TEMPFAIL : OnMissing.SKIP;
    }

    /** Whether the binding's {@code onError} is {@code badmail} (else {@code continue} or {@code defer}). */
    public static boolean badmailOnError(Binding b) {
        return "badmail".equals(property(b, "onError"));
    }

    /** Whether the binding's {@code onError} is {@code defer}: a failed call makes the message wait and retry. */
    public static boolean deferOnError(Binding b) {
        return "defer".equals(property(b, "onError"));
    }

    /** Whether the binding's {@code onError} is {@code tempfail} (protocol events): a failed call refuses the command with {@code 451 4.7.1}. */
    public static boolean tempfailOnError(Binding b) {
        return "tempfail".equals(property(b, "onError"));
    }

    /**
     * The {@code onError} values a binding of {@code event} may have: {@code continue}, {@code badmail},
     * {@code defer} for OnSubmission; {@code continue}, {@code tempfail} for the protocol events.
     */
    public static java.util.List<String> onErrorValues(String event) {
        return Events.isVerdict(event) ? java.util.List.of("continue", "tempfail")
                : java.util.List.of("continue", "badmail", "defer");
    }

    /** The time limit of one OnSubmission call when the binding does not set {@code timeoutMs}. */
    public static final long TIMEOUT_MS_SUBMISSION = 30_000;

    /** The time limit of one protocol-event call when the binding does not set {@code timeoutMs}: the client is waiting. */
    public static final long TIMEOUT_MS_PROTOCOL = 5_000;

    /**
     * The binding's time limit of one call in milliseconds: its {@code timeoutMs}, or the default of
     * its event ({@link #TIMEOUT_MS_PROTOCOL}, {@link #TIMEOUT_MS_SUBMISSION}) when absent or not a
     * positive whole number.
     */
    public static long timeoutMs(Binding b) {
        String v = b.sinkProperties().get("timeoutMs");
        if (v != null) {
            try {
                long ms = Long.parseLong(v.strip());
                if (ms > 0) {
                    return ms;
                }
            } catch (NumberFormatException e) {
                // refused by the registry; a hand edit falls back to the default
            }
        }
        return Events.isVerdict(b.event()) ? TIMEOUT_MS_PROTOCOL : TIMEOUT_MS_SUBMISSION;
    }

    /** The binding's {@code onError} as it applies: one of {@link #onErrorValues} for its event, {@code continue} by default. */
    public static String onError(Binding b) {
        String v = property(b, "onError");
        return v != null && onErrorValues(b.event()).contains(v) ? v : "continue";
    }

    /**
     * What is wrong with {@code value} as the {@code onError} of a binding of {@code event}, naming
     * the values allowed; empty when it is one of {@link #onErrorValues}. Any case, white space around
     * ignored, as the server reads it.
     */
    public static java.util.Optional<String> onErrorProblem(String event, String value) {
        java.util.List<String> allowed = onErrorValues(event);
        if (value != null && allowed.contains(value.strip().toLowerCase(Locale.ROOT))) {
            return java.util.Optional.empty();
        }
        String quoted = allowed.stream().map(v -> "'" + v + "'").collect(java.util.stream.Collectors.joining(", "));
        int last = quoted.lastIndexOf(", ");
        quoted = quoted.substring(0, last) + " or" + quoted.substring(last + 1);
        return java.util.Optional.of("onError must be " + quoted + " for " + (Events.isProtocol(event) ? "a protocol event ("
                + event + ")" : event) + ", not '" + value + "'");
    }

    /**
     * The status of {@code b}, given whether a plugin provides its sink class ({@code provided}).
     */
    public static String of(Binding b, boolean provided) {
        if (b.failure() != null) {
            return "disabled by server after " + b.failure().failures() + " failures at " + b.failure().at() + ": "
                    + b.failure().cause();
        }
        if (!provided) {
            return MISSING + "; " + whenMissing(b);
        }
        return OK;
    }

    /** What happens to {@code b}'s mail while its sink is not loaded, in words, by its {@code onMissing}. */
    public static String whenMissing(Binding b) {
        return onMissing(b) == OnMissing.TEMPFAIL
                ? "its mail waits in the spool until the sink is back (onMissing: tempfail)"
                : "its mail passes without it (onMissing: skip)";
    }

    private static String property(Binding b, String name) {
        String v = b.sinkProperties().get(name);
        return v == null ? null : v.strip().toLowerCase(Locale.ROOT);
    }
}
