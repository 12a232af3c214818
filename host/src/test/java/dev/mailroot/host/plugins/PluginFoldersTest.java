package dev.mailroot.host.plugins;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/** The candidates in the plugin folders, the admission of each, and the choice among jars of one plugin. */
class PluginFoldersTest {

    @TempDir
    Path dir;

    private static Path jar(Path folder, String name, String id, String version, String requires) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (id != null) {
            a.putValue("Plugin-Id", id);
            a.putValue("Plugin-Version", version);
        }
        if (requires != null) {
            a.putValue("Plugin-Requires", requires);
        }
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        return p;
    }

    private List<PluginManifest> admitted(PluginFolders folders) throws IOException {
        List<PluginManifest> out = new ArrayList<>();
        for (PluginFolders.Jar j : folders.listInOrder()) {
            PluginAdmission a = PluginAdmission.of(j.path());
            if (a.admitted()) {
                out.add(a.manifest());
            }
        }
        return out;
    }

    @Test
    void onlyVisibleJarFilesAreCandidatesFolderByFolder() throws Exception {
        Path home = dir.resolve("home");
        Path bundled = dir.resolve("bundled");
        jar(home, "b.jar", "b", "1.0.0", null);
        jar(home, "A.JAR", "a", "1.0.0", null);
        jar(home, ".hidden.jar", "h", "1.0.0", null);
        Files.writeString(home.resolve("notes.txt"), "x");
        Files.createDirectories(home.resolve("folder.jar"));
        jar(bundled, "a.jar", "a", "1.0.0", null);
        PluginFolders folders = new PluginFolders(List.of(new PluginFolders.Folder(home, "plugins/"),
                new PluginFolders.Folder(bundled, "bundled"), new PluginFolders.Folder(home, "again")));
        assertThat(folders.folders()).extracting(PluginFolders.Folder::label).containsExactly("plugins/", "bundled");
        assertThat(folders.listInOrder()).extracting(j -> j.folder() + ":" + j.path().getFileName())
                .containsExactly("plugins/:A.JAR", "plugins/:b.jar", "bundled:a.jar");
        assertThat(folders.label(bundled.resolve("a.jar"))).isEqualTo("bundled");
    }

    @Test
    void admissionRefusesWhatTheServerCannotRunAndSaysWhy() throws Exception {
        assertThat(PluginAdmission.of(jar(dir, "ok.jar", "ok", "1.0.0", ">=1.0.0")).admitted()).isTrue();
        PluginAdmission future = PluginAdmission.of(jar(dir, "future.jar", "future", "1.0.0", ">=9.0.0"));
        assertThat(future.admitted()).isFalse();
        assertThat(future.manifest().pluginId()).isEqualTo("future");
        assertThat(future.refusal()).startsWith("requires Mailroot >=9.0.0; this is ");
        PluginAdmission library = PluginAdmission.of(jar(dir, "library.jar", null, null, null));
        assertThat(library.manifest()).isNull();
        assertThat(library.refusal()).isEqualTo("no Plugin-Id in its manifest");
    }

    @Test
    void ofSeveralJarsOfOnePluginTheHighestVersionThenTheFirstFolderThenTheNameIsUsed() throws Exception {
        Path home = dir.resolve("home");
        Path bundled = dir.resolve("bundled");
        jar(home, "spam-old.jar", "spam", "1.0.0", null);
        jar(bundled, "spam-new.jar", "spam", "1.1.0", null);
        jar(bundled, "stamp.jar", "stamp", "1.0.0", null);
        jar(home, "z-stamp.jar", "stamp", "1.0.0", null);
        jar(home, "y-stamp.jar", "stamp", "1.0.0", null);
        jar(home, "never.jar", "spam", "9.0.0", ">=99.0.0");
        PluginFolders folders = new PluginFolders(List.of(new PluginFolders.Folder(home, "plugins/"),
                new PluginFolders.Folder(bundled, "bundled")));
        Map<String, PluginChoice> choices = folders.choose(admitted(folders));
        PluginChoice spam = choices.get("spam");
        assertThat(spam.used().jar()).isEqualTo(bundled.resolve("spam-new.jar"));
        assertThat(spam.notUsed()).extracting(m -> m.jar().getFileName().toString()).containsExactly("spam-old.jar");
        assertThat(spam.whyNotUsed(spam.notUsed().get(0))).isEqualTo("a lower version");
        PluginChoice stamp = choices.get("stamp");
        assertThat(stamp.candidates()).extracting(m -> m.jar().getFileName().toString())
                .containsExactly("y-stamp.jar", "z-stamp.jar", "stamp.jar");
        assertThat(stamp.whyNotUsed(stamp.notUsed().get(1))).isEqualTo("the same version, found later");
    }
}
