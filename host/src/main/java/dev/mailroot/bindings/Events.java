package dev.mailroot.bindings;

import java.util.Locale;
import java.util.Optional;

/** The event names a binding may name, and the IIS names accepted for them. */
public final class Events {
    /** Fires once per accepted message, SMTP or pickup, after it is spooled and before delivery. */
    public static final String ON_SUBMISSION = "OnSubmission";

    private Events() {
    }

    /**
     * The canonical name for {@code name}: {@code OnSubmission} for itself and for the IIS names
     * {@code OnArrival}, {@code OnTransportSubmission} and {@code SMTP Transport OnSubmission}
     * (case-insensitive); empty if the event is unknown.
     */
    public static Optional<String> canonical(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT)) {
            case "onsubmission", "onarrival", "ontransportsubmission", "smtp transport onsubmission" ->
                    Optional.of(ON_SUBMISSION);
            default -> Optional.empty();
        };
    }
}
