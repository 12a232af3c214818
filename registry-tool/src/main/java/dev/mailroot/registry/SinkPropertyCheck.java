package dev.mailroot.registry;

import java.util.Locale;

/** The sink properties the server reads itself, checked before they are written. */
final class SinkPropertyCheck {
    private SinkPropertyCheck() {
    }

    static void check(String name, String value) {
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
        if (name.equals("onError") && !value.strip().toLowerCase(Locale.ROOT).matches("continue|badmail|defer")) {
            throw new RegistryException("onError must be 'continue', 'badmail' or 'defer', not '" + value + "'");
        }
        if (name.equals("onMissing") && !value.strip().toLowerCase(Locale.ROOT).matches("skip|tempfail")) {
            throw new RegistryException("onMissing must be 'skip' or 'tempfail', not '" + value + "'");
        }
    }
}
