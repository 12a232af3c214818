package dev.mailroot.server;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds a real PF4J plugin jar during a test: compiles Java sources against the test class path
 * (the sink API and PF4J, whose annotation processor writes {@code META-INF/extensions.idx}) and
 * packs the classes with a plugin manifest.
 */
public final class PluginJarBuilder {
    private final String pluginId;
    private String version = "1.0.0";
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private final List<Class<?>> copies = new ArrayList<>();

    private PluginJarBuilder(String pluginId) {
        this.pluginId = pluginId;
    }

    public static PluginJarBuilder plugin(String pluginId) {
        return new PluginJarBuilder(pluginId);
    }

    public PluginJarBuilder version(String v) {
        this.version = v;
        return this;
    }

    /** Adds a source file: {@code className} fully qualified, {@code code} the whole compilation unit. */
    public PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Adds several source files: class name to compilation unit. */
    public PluginJarBuilder sources(Map<String, String> classes) {
        sources.putAll(classes);
        return this;
    }

    /** Packs a byte-for-byte copy of {@code cls}'s class file from the test class path into the jar. */
    public PluginJarBuilder copyOf(Class<?> cls) {
        copies.add(cls);
        return this;
    }

    public PluginJarBuilder manifest(String name, String value) {
        manifest.put(name, value);
        return this;
    }

    /** Compiles and writes the jar to {@code jar} (via a temporary name, then a move). */
    public Path build(Path work, Path jar) throws IOException {
        Path src = Files.createTempDirectory(work, pluginId + "-src");
        Path classes = Files.createTempDirectory(work, pluginId + "-classes");
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:full", "-d", classes.toString(),
                "-classpath", System.getProperty("java.class.path")));
        args.addAll(files);
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("plugin sources do not compile:\n" + diagnostics);
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", pluginId);
        a.putValue("Plugin-Version", version);
        manifest.forEach(a::putValue);
        Path tmp = jar.resolveSibling("." + jar.getFileName() + ".part");
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jos = new JarOutputStream(out, mf);
             Stream<Path> all = Files.walk(classes)) {
            for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                jos.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                jos.write(Files.readAllBytes(p));
                jos.closeEntry();
            }
            for (Class<?> cls : copies) {
                String entry = cls.getName().replace('.', '/') + ".class";
                try (var in = cls.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IllegalStateException("no class file for " + cls.getName());
                    }
                    jos.putNextEntry(new JarEntry(entry));
                    jos.write(in.readAllBytes());
                    jos.closeEntry();
                }
            }
        }
        Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }
}
