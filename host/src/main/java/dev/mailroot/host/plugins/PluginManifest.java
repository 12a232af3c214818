package dev.mailroot.host.plugins;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Versions;
import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What a plugin jar says about itself in its manifest ({@code Plugin-Id}, {@code Plugin-Version},
 * {@code Plugin-Requires}), read without running any of its code. {@link PluginAdmission} decides
 * with it which jar is a plugin, {@link PluginFolders#choose} which of several jars of one plugin
 * is used.
 *
 * @param jar      the file
 * @param pluginId {@code Plugin-Id}
 * @param version  {@code Plugin-Version}, a semantic version
 * @param requires {@code Plugin-Requires}, or null
 */
public record PluginManifest(Path jar, String pluginId, String version, String requires) {

    private static final VersionManager VERSIONS = new DefaultVersionManager();

    /** A jar that cannot be a plugin; the message says why in a few words. */
    public static final class NotAPlugin extends Exception {
        public NotAPlugin(String message) {
            super(message);
        }
    }

    /**
     * Higher version first; of equal versions, the one with the lower folder rank (the home's
     * {@code plugins/} before the bundled plugins), then by file name, so the choice never depends
     * on the order in which a folder is listed.
     */
    public static Comparator<PluginManifest> preference(java.util.function.ToIntFunction<Path> folderRank) {
        Comparator<PluginManifest> byVersion = (a, b) -> VERSIONS.compareVersions(b.version(), a.version());
        return byVersion.thenComparingInt(m -> folderRank.applyAsInt(m.jar()))
                .thenComparing(m -> m.jar().getFileName().toString());
    }

    /** Whether {@code id} is a plugin id: 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static boolean isPluginId(String id) {
        return id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    }

    /**
     * Reads {@code jar}'s manifest.
     *
     * @throws NotAPlugin if it is not a jar, or has no usable {@code Plugin-Id} or {@code Plugin-Version}
     */
    public static PluginManifest read(Path jar) throws NotAPlugin {
        Manifest mf;
        try (JarFile file = new JarFile(jar.toFile())) {
            mf = file.getManifest();
        } catch (IOException | SecurityException e) {
            throw new NotAPlugin("cannot be read as a jar: " + e.getMessage());
        }
        Attributes a = mf == null ? new Attributes() : mf.getMainAttributes();
        String id = a.getValue("Plugin-Id");
        if (id == null || id.isBlank()) {
            throw new NotAPlugin("no Plugin-Id in its manifest");
        }
        id = id.strip();
        if (!isPluginId(id)) {
            throw new NotAPlugin("Plugin-Id '" + ControlCharacters.escape(id) + "' is not a plugin id (letters, digits, '.', '_', '-')");
        }
        String version = a.getValue("Plugin-Version");
        if (version == null || version.isBlank()) {
            throw new NotAPlugin("no Plugin-Version in its manifest");
        }
        version = version.strip();
        try {
            VERSIONS.compareVersions(version, "0.0.0");
        } catch (RuntimeException e) {
            throw new NotAPlugin("Plugin-Version '" + ControlCharacters.escape(version) + "' is not a version like 1.2.3");
        }
        String requires = a.getValue("Plugin-Requires");
        return new PluginManifest(jar, id, version, requires == null || requires.isBlank() ? null : requires.strip());
    }

    /** Why this Mailroot cannot run the plugin ({@code Plugin-Requires} not met), or null if it can. */
    public String incompatibility() {
        if (requires == null || "*".equals(requires)) {
            return null;
        }
        try {
            if (VERSIONS.checkVersionConstraint(Versions.MAILROOT, requires)) {
                return null;
            }
        } catch (RuntimeException e) {
            return "Plugin-Requires '" + ControlCharacters.escape(requires) + "' is not a version constraint like >=1.0.0";
        }
        return "requires Mailroot " + requires + "; this is " + Versions.MAILROOT;
    }

    /** "{@code <file name>} ({@code <version>})", as events name a jar. */
    public String describe() {
        return jar.getFileName() + " (" + version + ")";
    }
}
