package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.Versions;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * What a plugin jar in {@code plugins/} offers, found without running any of its code: the
 * manifest, the PF4J extension index, and each sink class loaded without being initialised (to
 * check its type and constructor and read its {@code @DefaultBinding}s). It applies the checks the
 * server applies when it loads the jar.
 *
 * @param jar             the file
 * @param pluginId        {@code Plugin-Id}, or null if unreadable
 * @param version         {@code Plugin-Version}, or null
 * @param error           why the server would not load it, or null if it loads
 * @param sinks           its sink classes (empty if it does not load)
 * @param defaultBindings the default bindings it declares (empty if it does not load)
 * @param warnings        what the server would skip or complain about while still loading it
 */
public record PluginJar(Path jar, String pluginId, String version, String error, List<Sink> sinks,
                        List<Binding> defaultBindings, List<String> warnings) {

    /**
     * A sink class and the events it serves.
     *
     * @param className the class
     * @param events    the event names
     */
    public record Sink(String className, List<String> events) {
    }

    public boolean loads() {
        return error == null;
    }

    /** Every plugin jar in {@code dir}, by name; of two jars with one plugin id, the later one does not load. */
    public static List<PluginJar> scan(Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (name.toLowerCase(Locale.ROOT).endsWith(".jar") && !name.startsWith(".") && Files.isRegularFile(p)) {
                        jars.add(p);
                    }
                }
            }
        }
        jars.sort(null);
        List<PluginJar> out = new ArrayList<>();
        Map<String, Path> ids = new HashMap<>();
        Map<String, String> classes = new HashMap<>();
        for (Path p : jars) {
            PluginJar j = inspect(p);
            if (j.loads()) {
                Path other = ids.putIfAbsent(j.pluginId(), p);
                if (other != null) {
                    j = j.failed("plugin id '" + j.pluginId() + "' is already provided by " + other.getFileName()
                            + ", which the server loads instead");
                } else {
                    List<String> warnings = new ArrayList<>(j.warnings());
                    for (Sink s : j.sinks()) {
                        String owner = classes.putIfAbsent(s.className(), j.pluginId());
                        if (owner != null) {
                            warnings.add("sink class " + s.className() + " is also provided by plugin '" + owner
                                    + "', whose copy the server uses");
                        }
                    }
                    j = new PluginJar(j.jar(), j.pluginId(), j.version(), null, j.sinks(), j.defaultBindings(), warnings);
                }
            }
            out.add(j);
        }
        return out;
    }

    private PluginJar failed(String why) {
        return new PluginJar(jar, pluginId, version, why, List.of(), List.of(), warnings);
    }

    /** Inspects one jar. */
    public static PluginJar inspect(Path jar) {
        String id = null;
        String version = null;
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes a = file.getManifest() == null ? new Attributes() : file.getManifest().getMainAttributes();
            id = a.getValue("Plugin-Id");
            version = a.getValue("Plugin-Version");
            if (id == null || id.isBlank()) {
                return new PluginJar(jar, null, version, "no Plugin-Id in its manifest", List.of(), List.of(), List.of());
            }
            DefaultVersionManager versions = new DefaultVersionManager();
            if (version == null || version.isBlank()) {
                return new PluginJar(jar, id, null, "no Plugin-Version in its manifest", List.of(), List.of(), List.of());
            }
            try {
                versions.compareVersions(version, "0.0.0");
            } catch (RuntimeException e) {
                return new PluginJar(jar, id, version, "Plugin-Version '" + version + "' is not a version like 1.2.3",
                        List.of(), List.of(), List.of());
            }
            String requires = a.getValue("Plugin-Requires");
            if (requires != null && !requires.isBlank() && !"*".equals(requires.strip())
                    && !versions.checkVersionConstraint(Versions.MAILROOT, requires)) {
                return new PluginJar(jar, id, version, "requires Mailroot " + requires + "; this is " + Versions.MAILROOT,
                        List.of(), List.of(), List.of());
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
            return classes(jar, id, version, classNames, idx == null);
        } catch (IOException e) {
            return new PluginJar(jar, id, version, "cannot be read as a jar: " + e.getMessage(), List.of(), List.of(), List.of());
        }
    }

    private static PluginJar classes(Path jar, String id, String version, List<String> names, boolean noIndex)
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
                    return new PluginJar(jar, id, version, "sink " + name + " is abstract", List.of(), List.of(), warnings);
                }
                try {
                    if (!Modifier.isPublic(cls.getConstructor().getModifiers())) {
                        throw new NoSuchMethodException();
                    }
                } catch (NoSuchMethodException e) {
                    return new PluginJar(jar, id, version, "sink " + name + " has no public no-argument constructor",
                            List.of(), List.of(), warnings);
                }
                sinks.add(new Sink(name, List.of(Events.ON_SUBMISSION)));
                try {
                    defaults.addAll(DefaultBindings.of(cls));
                } catch (DefaultBindings.InvalidDeclaration e) {
                    warnings.add("default binding not registered: " + e.getMessage());
                }
            }
        }
        return new PluginJar(jar, id, version, null, sinks, defaults, warnings);
    }
}
