package dev.mailroot.host.plugins;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a jar in a plugin folder is admitted as a plugin, decided from its manifest without
 * running any of its code: it must be a readable jar with a {@code Plugin-Id} and a semantic
 * {@code Plugin-Version}, and this Mailroot must meet its {@code Plugin-Requires}. The server's
 * plugin host, its offline commands and {@code registry} all decide with {@link #of}, so a jar the
 * registry reports as loading is one the server tries to load, and the refusal reads the same in
 * both.
 *
 * @param jar      the file
 * @param manifest what its manifest says, or null if it could not be read as a plugin manifest
 * @param refusal  why it is not admitted, or null if it is
 */
public record PluginAdmission(Path jar, PluginManifest manifest, String refusal) {

    /** Examines {@code jar}. */
    public static PluginAdmission of(Path jar) {
        PluginManifest m;
        try {
            m = PluginManifest.read(jar);
        } catch (PluginManifest.NotAPlugin e) {
            return new PluginAdmission(jar, null, e.getMessage());
        }
        return new PluginAdmission(jar, m, m.incompatibility());
    }

    public boolean admitted() {
        return refusal == null;
    }

    /**
     * Why the code of {@code jar} (an admitted jar, or the private copy it is loaded from) is
     * refused: it can end the process ({@link ExitCalls}); empty if it cannot, as far as
     * {@link ExitCalls} sees.
     */
    public static Optional<String> exitCallRefusal(Path jar) throws IOException {
        return ExitCalls.in(jar).map(call -> "its code can end the server's process: " + call
                + " (a plugin must not call System.exit, Runtime.exit or Runtime.halt)");
    }
}
