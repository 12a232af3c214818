package dev.mailroot.registry;

import dev.mailroot.bindings.BindingStatus;

import java.util.Locale;

/** The sink properties the server reads itself, checked before they are written. */
final class SinkPropertyCheck {
    private SinkPropertyCheck() {
    }

    /**
     * Refuses a sink property the server would not accept on a binding of {@code event}: a
     * {@code timeoutMs} that is not a positive whole number, an {@code onError} the event does not
     * allow ({@link BindingStatus#onErrorValues}), an {@code onMissing} other than skip or tempfail.
     */
    static void check(String event, String name, String value) {
        if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == '=')) {
            throw new RegistryException("sink property name '" + name + "' is empty or contains white space or '='");
        }
        if (name.equals("timeoutMs")) {
            try {
                if (Long.parseLong(value.strip()) <= 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new RegistryException("timeoutMs must be a positive whole number of milliseconds, not '" + value + "'");
            }
        }
        if (name.equals("onError")) {
            BindingStatus.onErrorProblem(event, value).ifPresent(why -> {
                throw new RegistryException(why);
            });
        }
        if (name.equals("onMissing") && !value.strip().toLowerCase(Locale.ROOT).matches("skip|tempfail")) {
            throw new RegistryException("onMissing must be 'skip' or 'tempfail', not '" + value + "'");
        }
    }
}
