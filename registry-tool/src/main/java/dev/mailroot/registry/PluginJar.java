package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.bindings.Events;
import dev.mailroot.host.plugins.Extensions;
import dev.mailroot.host.plugins.PluginAdmission;
import dev.mailroot.host.plugins.PluginChoice;
import dev.mailroot.host.plugins.PluginFolders;
import dev.mailroot.host.plugins.PluginManifest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * What a plugin jar in a plugin folder offers, found without running any of its code: the
 * manifest, the PF4J extension index, and each sink class loaded without being initialised (to
 * check its type and constructor and read its {@code @DefaultBinding}s). It applies the checks the
 * server applies when it loads the jar, with the same shared code ({@link PluginAdmission},
 * {@link PluginFolders#choose}, {@link Extensions}).
 *
 * @param jar             the file
 * @param folder          its folder's label ({@code plugins/}, {@code bundled})
 * @param pluginId        {@code Plugin-Id}, or null if unreadable
 * @param version         {@code Plugin-Version}, or null
 * @param error           why the server would not load it, or null if it loads
 * @param sinks           its sink classes, each with its events (empty if it does not load)
 * @param defaultBindings the default bindings it declares (empty if it does not load)
 * @param warnings        what the server would skip or complain about while still loading it
 */
public record PluginJar(Path jar, String folder, String pluginId, String version, String error, List<Sink> sinks,
                        List<Binding> defaultBindings, List<String> warnings) {

    /**
     * A sink class and the events it serves: those whose sink interface it implements
     * ({@link Events#implementedBy}), in the order they fire.
     *
     * @param className the class
     * @param events    the canonical event names
     */
    public record Sink(String className, List<String> events) {
    }

    public boolean loads() {
        return error == null;
    }

    /**
     * Every plugin jar candidate in {@code folders}, folder by folder and by name, judged by the
     * rules the server applies ({@link PluginAdmission}, {@link PluginFolders#choose}): of several
     * jars with one plugin id that load, the one the server uses is reported as loading, the others
     * as not used, naming the one used.
     */
    public static List<PluginJar> scan(PluginFolders folders) throws IOException {
        List<PluginJar> found = new ArrayList<>();
        List<PluginManifest> admitted = new ArrayList<>();
        for (PluginFolders.Jar j : folders.listInOrder()) {
            PluginAdmission a = PluginAdmission.of(j.path());
            PluginJar inspected = a.admitted() ? inspect(a.manifest(), j.folder()) : refused(a, j.folder());
            found.add(inspected);
            if (inspected.loads()) {
                // as in the server, a jar that fails to load drops out of the choice: the next one is used
                admitted.add(a.manifest());
            }
        }
        Map<String, PluginChoice> choices = folders.choose(admitted);
        List<PluginJar> out = new ArrayList<>();
        Map<String, String> classes = new HashMap<>();
        for (PluginJar j : found) {
            PluginChoice choice = j.pluginId() == null ? null : choices.get(j.pluginId());
            boolean candidate = choice != null && choice.candidates().stream().anyMatch(m -> m.jar().equals(j.jar()));
            if (candidate && !choice.used().jar().equals(j.jar())) {
                PluginManifest used = choice.used();
                PluginManifest mine = choice.candidates().stream().filter(m -> m.jar().equals(j.jar())).findFirst().orElseThrow();
                out.add(j.failed("not used (" + choice.whyNotUsed(mine) + "): plugin '" + j.pluginId() + "' " + used.version()
                        + " from " + used.jar().getFileName() + " (" + folders.label(used.jar()) + ") is used"));
            } else if (candidate && j.loads()) {
                List<String> warnings = new ArrayList<>(j.warnings());
                for (Sink s : j.sinks()) {
                    String owner = classes.putIfAbsent(s.className(), j.pluginId());
                    if (owner != null) {
                        warnings.add("sink class " + s.className() + " is also provided by plugin '" + owner
                                + "', whose copy the server uses");
                    }
                }
                out.add(new PluginJar(j.jar(), j.folder(), j.pluginId(), j.version(), null, j.sinks(), j.defaultBindings(), warnings));
            } else {
                out.add(j);
            }
        }
        return out;
    }

    private PluginJar failed(String why) {
        return new PluginJar(jar, folder, pluginId, version, why, List.of(), List.of(), warnings);
    }

    private static PluginJar refused(PluginAdmission a, String folder) {
        PluginManifest m = a.manifest();
        return new PluginJar(a.jar(), folder, m == null ? null : m.pluginId(), m == null ? null : m.version(), a.refusal(),
                List.of(), List.of(), List.of());
    }

    /** Inspects an admitted jar as the server's load would, without running its code. */
    private static PluginJar inspect(PluginManifest m, String folder) {
        Path jar = m.jar();
        try (JarFile file = new JarFile(jar.toFile())) {
            Optional<String> exit = PluginAdmission.exitCallRefusal(jar);
            if (exit.isPresent()) {
                return new PluginJar(jar, folder, m.pluginId(), m.version(), exit.get(), List.of(), List.of(), List.of());
            }
            ZipEntry idx = file.getEntry("META-INF/extensions.idx");
            // a class that implements two sink interfaces is indexed once per extension point: one sink
            java.util.Set<String> classNames = new java.util.LinkedHashSet<>();
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

    private static PluginJar classes(Path jar, String folder, PluginManifest m, java.util.Collection<String> names, boolean noIndex)
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
                List<String> events = Events.implementedBy(cls);
                if (events.isEmpty()) {
                    continue; // an extension of another kind (a connector service, say)
                }
                Optional<String> problem = Extensions.problem(cls, "sink");
                if (problem.isPresent()) {
                    return new PluginJar(jar, folder, m.pluginId(), m.version(), problem.get(), List.of(), List.of(), warnings);
                }
                sinks.add(new Sink(name, events));
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
