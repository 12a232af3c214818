package dev.mailroot.registry;

import dev.mailroot.bindings.ControlCharacters;

/**
 * Input that cannot legitimately hold control characters: binding names, events, sink classes,
 * rules, ids, property names and values. {@code registry add} and {@code setprop} refuse them
 * rather than store text that would forge lines in logs and listings.
 */
final class PlainText {
    private PlainText() {
    }

    /** Refuses {@code value} if it holds a control character, naming {@code what} and where. */
    static void check(String what, String value) {
        String why = problem(value);
        if (why != null) {
            throw new RegistryException(what + " '" + ControlCharacters.escape(value) + "' " + why);
        }
    }

    /** Why {@code value} is not plain text, or null if it is. */
    static String problem(String value) {
        int at = ControlCharacters.indexOf(value);
        return at < 0 ? null : "contains a control character (" + ControlCharacters.escape(value.charAt(at))
                + " at position " + (at + 1) + "); names, rules and properties cannot hold them";
    }
}
