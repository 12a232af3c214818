package dev.mailroot.host.plugins;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which jar is a plugin, and which of several jars of one plugin is used. */
class PluginManifestTest {

    @TempDir
    Path dir;

    private Path jar(Path folder, String name, String id, String version) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (id != null) {
            a.putValue("Plugin-Id", id);
        }
        if (version != null) {
            a.putValue("Plugin-Version", version);
        }
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        return p;
    }

    @Test
    void theHighestVersionIsPreferredWhateverTheFileNames() throws Exception {
        PluginManifest old = PluginManifest.read(jar(dir, "spamcheck-1.0.0.jar", "spamcheck", "0.9.0"));
        PluginManifest newer = PluginManifest.read(jar(dir, "spamcheck-0.9.jar", "spamcheck", "1.0.0"));
        PluginManifest patch = PluginManifest.read(jar(dir, "a.jar", "spamcheck", "1.0.0-rc.1"));
        List<PluginManifest> all = new ArrayList<>(List.of(old, patch, newer));
        all.sort(PluginManifest.preference(p -> 0));
        assertThat(all).extracting(PluginManifest::version).containsExactly("1.0.0", "1.0.0-rc.1", "0.9.0");
    }

    @Test
    void ofEqualVersionsTheFirstFolderWinsThenTheName() throws Exception {
        Path home = dir.resolve("plugins");
        Path bundled = dir.resolve("bundled");
        PluginManifest inBundled = PluginManifest.read(jar(bundled, "a.jar", "stamp", "1.0.0"));
        PluginManifest inHome = PluginManifest.read(jar(home, "z.jar", "stamp", "1.0.0"));
        List<PluginManifest> all = new ArrayList<>(List.of(inBundled, inHome));
        all.sort(PluginManifest.preference(p -> p.getParent().equals(home) ? 0 : 1));
        assertThat(all.get(0).jar()).isEqualTo(inHome.jar());
    }

    @Test
    void aJarWithoutIdOrVersionOrWithABadOneIsNotAPlugin() throws Exception {
        assertThatThrownBy(() -> PluginManifest.read(jar(dir, "a.jar", null, "1.0.0"))).hasMessage("no Plugin-Id in its manifest");
        assertThatThrownBy(() -> PluginManifest.read(jar(dir, "b.jar", "b", null))).hasMessage("no Plugin-Version in its manifest");
        assertThatThrownBy(() -> PluginManifest.read(jar(dir, "c.jar", "c", "one"))).hasMessageContaining("'one' is not a version");
        assertThatThrownBy(() -> PluginManifest.read(jar(dir, "d.jar", "evil\u001b[31m", "1.0.0")))
                .hasMessageContaining("\\x1b[31m").hasMessageNotContaining("\u001b");
        assertThatThrownBy(() -> PluginManifest.read(Files.writeString(dir.resolve("e.jar"), "text")))
                .hasMessageStartingWith("cannot be read as a jar");
    }

    @Test
    void pluginRequiresIsCheckedAgainstThisMailroot() throws Exception {
        Path p = jar(dir, "f.jar", "f", "1.0.0");
        PluginManifest m = new PluginManifest(p, "f", "1.0.0", ">=99.0.0");
        assertThat(m.incompatibility()).contains("requires Mailroot >=99.0.0");
        assertThat(new PluginManifest(p, "f", "1.0.0", ">=1.0.0").incompatibility()).isNull();
        assertThat(new PluginManifest(p, "f", "1.0.0", null).incompatibility()).isNull();
    }
}
