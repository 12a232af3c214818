package dev.mailroot.host.plugins;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The folders plugin jars are taken from, in order of preference for jars of one plugin with
 * equal versions: the home's {@code plugins/} first, then the distribution's bundled plugins. The
 * server's plugin host, its offline commands and the {@code registry} tool list the jars and
 * choose among jars of one plugin with this class, so they never disagree on which jar is a plugin
 * candidate or which of several is used.
 *
 * <p>Immutable and thread-safe; {@link #list()} reads the folders as they are at the call.
 */
public final class PluginFolders {

    /** The system property in which the launchers name the distribution's bundled plugins. */
    public static final String BUNDLED_PROPERTY = "mailroot.bundledPlugins";

    /**
     * A folder of plugin jars.
     *
     * @param dir   the folder
     * @param label how log lines and reports name it ({@code plugins/}, {@code bundled})
     */
    public record Folder(Path dir, String label) {
    }

    /**
     * A jar's size and modification time: the server loads a jar once they stop changing.
     *
     * @param size     bytes
     * @param modified milliseconds since the epoch
     */
    public record Stamp(long size, long modified) {
        /** The stamp of {@code jar} now. */
        public static Stamp of(Path jar) throws IOException {
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime().toMillis());
        }
    }

    /**
     * A plugin jar candidate found in a folder (its name says jar; whether it is a plugin its
     * manifest says, see {@link PluginManifest#admit}).
     *
     * @param path   the file
     * @param stamp  its size and time when listed
     * @param rank   its folder's position (0 first)
     * @param folder its folder's label
     */
    public record Jar(Path path, Stamp stamp, int rank, String folder) {
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

    /**
     * The folders of a home: its {@code plugins/}, then the bundled plugins named in
     * {@value #BUNDLED_PROPERTY} (if set and {@code bundled}).
     *
     * @param homePlugins the home's {@code plugins/}
     * @param bundled     whether the bundled plugins are used ({@code plugins.bundled} in {@code conf/mailroot.yaml})
     */
    public static PluginFolders of(Path homePlugins, boolean bundled) {
        List<Folder> folders = new ArrayList<>();
        folders.add(new Folder(homePlugins.toAbsolutePath().normalize(), "plugins/"));
        String dir = System.getProperty(BUNDLED_PROPERTY);
        if (bundled && dir != null && !dir.isBlank()) {
            folders.add(new Folder(Path.of(dir).toAbsolutePath().normalize(), "bundled"));
        }
        return new PluginFolders(folders);
    }

    public List<Folder> folders() {
        return folders;
    }

    /** The first folder: the one the administrator drops jars into. */
    public Path primary() {
        return folders.get(0).dir();
    }

    /** Whether a file in a plugin folder is taken as a plugin candidate: {@code *.jar} in any case, not hidden. */
    public static boolean isPluginJarName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".jar") && !name.startsWith(".");
    }

    /** The rank of the folder {@code jar} is in (its position; after all folders if in none). */
    public int rank(Path jar) {
        for (int i = 0; i < folders.size(); i++) {
            if (jar.getParent() != null && jar.getParent().equals(folders.get(i).dir())) {
                return i;
            }
        }
        return folders.size();
    }

    /** The label of the folder {@code jar} is in, or "" if in none. */
    public String label(Path jar) {
        int rank = rank(jar);
        return rank < folders.size() ? folders.get(rank).label() : "";
    }

    /**
     * Every plugin jar candidate in the folders now (a link to a jar counts: the folders are the
     * administrator's), by path.
     */
    public Map<Path, Jar> list() throws IOException {
        Map<Path, Jar> jars = new TreeMap<>();
        for (int rank = 0; rank < folders.size(); rank++) {
            Folder f = folders.get(rank);
            if (!Files.isDirectory(f.dir())) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(f.dir())) {
                for (Path p : ds) {
                    if (!isPluginJarName(p.getFileName().toString())) {
                        continue;
                    }
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                        if (a.isRegularFile()) {
                            jars.put(p, new Jar(p, new Stamp(a.size(), a.lastModifiedTime().toMillis()), rank, f.label()));
                        }
                    } catch (IOException e) {
                        // vanished between listing and reading: the next look sees it gone
                    }
                }
            }
        }
        return jars;
    }

    /** {@link #list()} in report order: folder by folder, then by file name. */
    public List<Jar> listInOrder() throws IOException {
        List<Jar> jars = new ArrayList<>(list().values());
        jars.sort(Comparator.comparingInt(Jar::rank).thenComparing(Jar::path));
        return jars;
    }

    /**
     * The duplicate policy: the admitted manifests grouped by plugin id, each group in order of
     * preference (the one used first): the highest version, then the folder of lower rank, then the
     * file name.
     */
    public Map<String, PluginChoice> choose(Collection<PluginManifest> admitted) {
        Map<String, List<PluginManifest>> byId = new TreeMap<>();
        for (PluginManifest m : admitted) {
            byId.computeIfAbsent(m.pluginId(), k -> new ArrayList<>()).add(m);
        }
        Map<String, PluginChoice> out = new TreeMap<>();
        Comparator<PluginManifest> preference = preference();
        byId.forEach((id, list) -> {
            list.sort(preference);
            out.put(id, new PluginChoice(id, list));
        });
        return out;
    }

    /** The order of preference among jars of one plugin (the first is used). */
    public Comparator<PluginManifest> preference() {
        return PluginManifest.preference(this::rank);
    }

    private static Path realOrAbsolute(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
