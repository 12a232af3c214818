package dev.mailroot.bindings;

/** Version facts shared by the server and the registry tool. */
public final class Versions {
    /** The Mailroot version a plugin's {@code Plugin-Requires} is checked against. */
    public static final String MAILROOT = "1.0.0";

    private Versions() {
    }
}
