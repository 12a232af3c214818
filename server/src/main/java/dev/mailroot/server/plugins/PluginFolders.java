package dev.mailroot.server.plugins;

import dev.mailroot.bindings.PluginManifest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The folders plugin jars are loaded from, in order of preference for jars of one plugin with
 * equal versions: the home's {@code plugins/} first, then the distribution's bundled plugins.
 */
public final class PluginFolders {

    /**
     * A folder of plugin jars.
     *
     * @param dir   the folder
     * @param label how log lines name it ({@code plugins/}, {@code bundled})
     */
    public record Folder(Path dir, String label) {
    }

    /** A jar's size and modification time: a jar is loaded once they stop changing. */
    record Stamp(long size, long modified) {
    }

    /**
     * A plugin jar found in a folder.
     *
     * @param path   the file
     * @param stamp  its size and time now
     * @param rank   its folder's position (0 first)
     * @param folder its folder's label
     */
    record Jar(Path path, Stamp stamp, int rank, String folder) {
    }

    private final List<Folder> folders;

    /** The folders, most preferred first; a folder that is the same as an earlier one is dropped. */
    public PluginFolders(List<Folder> folders) {
        List<Folder> distinct = new ArrayList<>();
        List<Path> seen = new ArrayList<>();
        for (Folder f : folders) {
            Path real = realOrAbsolute(f.dir());
            if (!seen.contains(real)) {
                seen.add(real);
                distinct.add(f);
            }
        }
        this.folders = List.copyOf(distinct);
    }

    public List<Folder> folders() {
        return folders;
    }

    /** The first folder: the one the administrator drops jars into. */
    public Path primary() {
        return folders.get(0).dir();
    }

    /** The rank of the folder {@code jar} is in (its position; after all folders if in none). */
    int rank(Path jar) {
        for (int i = 0; i < folders.size(); i++) {
            if (jar.getParent() != null && jar.getParent().equals(folders.get(i).dir())) {
                return i;
            }
        }
        return folders.size();
    }

    /** Every plugin jar in the folders now (a link to a jar counts: the folders are the administrator's), by path. */
    Map<Path, Jar> list() throws IOException {
        Map<Path, Jar> jars = new TreeMap<>();
        for (int rank = 0; rank < folders.size(); rank++) {
            Folder f = folders.get(rank);
            if (!Files.isDirectory(f.dir())) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(f.dir())) {
                for (Path p : ds) {
                    if (!PluginManifest.isPluginJarName(p.getFileName().toString())) {
                        continue;
                    }
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                        if (a.isRegularFile()) {
                            jars.put(p, new Jar(p, new Stamp(a.size(), a.lastModifiedTime().toMillis()), rank, f.label()));
                        }
                    } catch (IOException e) {
                        // vanished between listing and reading: the next scan sees it gone
                    }
                }
            }
        }
        return jars;
    }

    private static Path realOrAbsolute(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
