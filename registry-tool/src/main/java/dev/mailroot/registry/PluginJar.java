package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.ExitCalls;
import dev.mailroot.bindings.PluginManifest;
import dev.mailroot.sink.OnSubmissionSink;
import org.pf4j.DefaultVersionManager;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * What a plugin jar in a plugin folder offers, found without running any of its code: the
 * manifest, the PF4J extension index, and each sink class loaded without being initialised (to
 * check its type and constructor and read its {@code @DefaultBinding}s). It applies the checks the
 * server applies when it loads the jar, with the same shared rules ({@link PluginManifest},
 * {@link ExitCalls}).
 *
 * @param jar             the file
 * @param folder          its folder's label ({@code plugins/}, {@code bundled})
 * @param pluginId        {@code Plugin-Id}, or null if unreadable
 * @param version         {@code Plugin-Version}, or null
 * @param error           why the server would not load it, or null if it loads
 * @param sinks           its sink classes (empty if it does not load)
 * @param defaultBindings the default bindings it declares (empty if it does not load)
 * @param warnings        what the server would skip or complain about while still loading it
 */
public record PluginJar(Path jar, String folder, String pluginId, String version, String error, List<Sink> sinks,
                        List<Binding> defaultBindings, List<String> warnings) {

    /**
     * A sink class and the events it serves.
     *
     * @param className the class
     * @param events    the event names
     */
    public record Sink(String className, List<String> events) {
    }

    /**
     * A folder of plugin jars.
     *
     * @param dir   the folder
     * @param label how it is named in the output
     */
    public record Folder(Path dir, String label) {
    }

    public boolean loads() {
        return error == null;
    }

    /**
     * Every plugin jar in {@code folders}, folder by folder and by name. Of several jars with one
     * plugin id the server uses the highest version (then the first folder, then the name): the
     * others are reported as not loading, naming the one used.
     */
    public static List<PluginJar> scan(List<Folder> folders) throws IOException {
        List<PluginJar> found = new ArrayList<>();
        for (int i = 0; i < folders.size(); i++) {
            Folder f = folders.get(i);
            if (!Files.isDirectory(f.dir())) {
                continue;
            }
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(f.dir())) {
                for (Path p : ds) {
                    if (PluginManifest.isPluginJarName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                        jars.add(p);
                    }
                }
            }
            jars.sort(null);
            for (Path p : jars) {
                found.add(inspect(p, f.label()));
            }
        }
        Map<String, PluginJar> used = new LinkedHashMap<>();
        var preference = PluginManifest.preference(p -> {
            for (int i = 0; i < folders.size(); i++) {
                if (folders.get(i).dir().equals(p.getParent())) {
                    return i;
                }
            }
            return folders.size();
        });
        for (PluginJar j : found) {
            if (!j.loads()) {
                continue;
            }
            PluginJar other = used.get(j.pluginId());
            if (other == null || preference.compare(j.manifest(), other.manifest()) < 0) {
                used.put(j.pluginId(), j);
            }
        }
        List<PluginJar> out = new ArrayList<>();
        Map<String, String> classes = new HashMap<>();
        for (PluginJar j : found) {
            PluginJar u = j.loads() ? used.get(j.pluginId()) : null;
            if (u != null && u != j) {
                boolean same = new DefaultVersionManager().compareVersions(j.version(), u.version()) == 0;
                j = j.failed("not used: plugin '" + j.pluginId() + "' " + u.version() + " from " + u.jar().getFileName()
                        + " (" + u.folder() + ") is used" + (same ? " (the same version, found first)" : " (a higher version)"));
            } else if (u != null) {
                List<String> warnings = new ArrayList<>(j.warnings());
                for (Sink s : j.sinks()) {
                    String owner = classes.putIfAbsent(s.className(), j.pluginId());
                    if (owner != null) {
                        warnings.add("sink class " + s.className() + " is also provided by plugin '" + owner
                                + "', whose copy the server uses");
                    }
                }
                j = new PluginJar(j.jar(), j.folder(), j.pluginId(), j.version(), null, j.sinks(), j.defaultBindings(), warnings);
            }
            out.add(j);
        }
        return out;
    }

    private PluginManifest manifest() {
        return new PluginManifest(jar, pluginId, version, null);
    }

    private PluginJar failed(String why) {
        return new PluginJar(jar, folder, pluginId, version, why, List.of(), List.of(), warnings);
    }

    /** Inspects one jar. */
    public static PluginJar inspect(Path jar, String folder) {
        PluginManifest m;
        try {
            m = PluginManifest.read(jar);
        } catch (PluginManifest.NotAPlugin e) {
            return new PluginJar(jar, folder, null, null, e.getMessage(), List.of(), List.of(), List.of());
        }
        String incompatible = m.incompatibility();
        if (incompatible != null) {
            return new PluginJar(jar, folder, m.pluginId(), m.version(), incompatible, List.of(), List.of(), List.of());
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Optional<String> exit = ExitCalls.in(jar);
            if (exit.isPresent()) {
                return new PluginJar(jar, folder, m.pluginId(), m.version(), "its code can end the server's process: "
                        + exit.get(), List.of(), List.of(), List.of());
            }
            ZipEntry idx = file.getEntry("META-INF/extensions.idx");
            List<String> classNames = new ArrayList<>();
            if (idx != null) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(file.getInputStream(idx), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        line = line.strip();
                        if (!line.isEmpty() && !line.startsWith("#")) {
                            classNames.add(line);
                        }
                    }
                }
            }
            return classes(jar, folder, m, classNames, idx == null);
        } catch (IOException e) {
            return new PluginJar(jar, folder, m.pluginId(), m.version(), "cannot be read as a jar: " + e.getMessage(),
                    List.of(), List.of(), List.of());
        }
    }

    private static PluginJar classes(Path jar, String folder, PluginManifest m, List<String> names, boolean noIndex)
            throws IOException {
        List<Sink> sinks = new ArrayList<>();
        List<Binding> defaults = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (noIndex) {
            warnings.add("no META-INF/extensions.idx: the plugin provides no sinks (compile it with PF4J's annotation processor)");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, PluginJar.class.getClassLoader())) {
            for (String name : names) {
                Class<?> cls;
                try {
                    cls = Class.forName(name, false, loader); // not initialised: no plugin code runs
                } catch (ClassNotFoundException | LinkageError e) {
                    warnings.add("extension " + name + " cannot be loaded (" + e + "); the server skips it");
                    continue;
                }
                if (!OnSubmissionSink.class.isAssignableFrom(cls)) {
                    continue; // an extension of another kind (a connector service, say)
                }
                if (Modifier.isAbstract(cls.getModifiers())) {
                    return new PluginJar(jar, folder, m.pluginId(), m.version(), "sink " + name + " is abstract",
                            List.of(), List.of(), warnings);
                }
                try {
                    if (!Modifier.isPublic(cls.getConstructor().getModifiers())) {
                        throw new NoSuchMethodException();
                    }
                } catch (NoSuchMethodException e) {
                    return new PluginJar(jar, folder, m.pluginId(), m.version(), "sink " + name
                            + " has no public no-argument constructor", List.of(), List.of(), warnings);
                }
                sinks.add(new Sink(name, List.of(Events.ON_SUBMISSION)));
                try {
                    defaults.addAll(DefaultBindings.of(cls));
                } catch (DefaultBindings.InvalidDeclaration e) {
                    warnings.add("default binding not registered: " + e.getMessage());
                }
            }
        }
        return new PluginJar(jar, folder, m.pluginId(), m.version(), null, sinks, defaults, warnings);
    }
}
