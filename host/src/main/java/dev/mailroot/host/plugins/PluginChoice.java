package dev.mailroot.host.plugins;

import org.pf4j.DefaultVersionManager;

import java.util.List;

/**
 * The admitted jars of one plugin id, in order of preference (see {@link PluginFolders#choose}):
 * the first is the one used, the others are not.
 *
 * @param pluginId   the plugin id
 * @param candidates its admitted jars, the one used first; never empty
 */
public record PluginChoice(String pluginId, List<PluginManifest> candidates) {

    public PluginChoice {
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a choice needs a candidate");
        }
    }

    /** The jar used. */
    public PluginManifest used() {
        return candidates.get(0);
    }

    /** The jars not used, in order of preference. */
    public List<PluginManifest> notUsed() {
        return candidates.subList(1, candidates.size());
    }

    /** Why {@code other} (one of {@link #notUsed()}) loses to {@link #used()}: a lower version, or the same one found later. */
    public String whyNotUsed(PluginManifest other) {
        boolean same = new DefaultVersionManager().compareVersions(other.version(), used().version()) == 0;
        return same ? "the same version, found later" : "a lower version";
    }
}
