package dev.mailroot.server.plugins;

import org.pf4j.JarPluginLoader;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A plugin's class loader: PF4J's plugin-first order, except for the classes the server shares
 * with its plugins (the sink API, Jakarta Mail and Jakarta Activation with their Angus
 * implementations, SLF4J, and PF4J itself), which always come from the server even when the jar
 * bundles copies. A bundled copy would be a different class with the same name, and the sink
 * would fail with a {@code LinkageError} or {@code ClassCastException} as soon as it met the
 * server's.
 */
final class HostFirstClassLoader extends PluginClassLoader {

    /** Package prefixes whose classes come from the server (besides {@code java.*} and {@code org.pf4j.*}). */
    static final List<String> SHARED_PACKAGES = List.of("dev.mailroot.sink.", "jakarta.mail.", "jakarta.activation.",
            "org.eclipse.angus.", "org.slf4j.");

    private HostFirstClassLoader(PluginManager manager, PluginDescriptor descriptor) {
        super(manager, descriptor, HostFirstClassLoader.class.getClassLoader());
    }

    /** A {@link JarPluginManager} over {@code root} whose plugins get this class loader. */
    static JarPluginManager newManager(Path root) {
        return new JarPluginManager(root) {
            @Override
            protected PluginLoader createPluginLoader() {
                return new JarPluginLoader(this) {
                    @Override
                    protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor descriptor) {
                        return new HostFirstClassLoader(pluginManager, descriptor);
                    }
                };
            }
        };
    }

    @Override
    protected boolean shouldDelegateToParent(String className) {
        return super.shouldDelegateToParent(className) || isShared(className);
    }

    static boolean isShared(String className) {
        for (String p : SHARED_PACKAGES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The classes in {@code jar} that the server provides instead (so the jar's copies are never used), sorted. */
    static Set<String> bundledSharedClasses(Path jar) throws IOException {
        Set<String> found = new TreeSet<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(f.entries())) {
                String name = e.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    String cls = name.substring(0, name.length() - 6).replace('/', '.');
                    if (isShared(cls) || (cls.startsWith("org.pf4j.") && !cls.startsWith("org.pf4j.test"))) {
                        found.add(cls);
                    }
                }
            }
        }
        return found;
    }
}
