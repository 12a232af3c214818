package dev.mailroot.host.plugins;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The load-time check for code that can end the process, on real compiled classes in a real jar. */
class ExitCallsTest {

    @TempDir
    Path dir;

    /** Compiles {@code code} (class {@code p.C}) into a jar and scans it. */
    private java.util.Optional<String> scan(String code) throws IOException {
        Path src = dir.resolve("src/p/C.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, err, err, "--release", "17", "-d", classes.toString(), src.toString());
        assertThat(rc).as(err.toString()).isZero();
        Path jar = dir.resolve("p.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out);
             Stream<Path> all = Files.walk(classes)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                jos.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                jos.write(Files.readAllBytes(p));
                jos.closeEntry();
            }
        }
        return ExitCalls.in(jar);
    }

    @Test
    void aDirectSystemExitIsFound() throws IOException {
        assertThat(scan("package p; public class C { void f() { System.exit(0); } }"))
                .hasValue("p.C calls java.lang.System.exit");
    }

    @Test
    void runtimeHaltAndRuntimeExitAreFound() throws IOException {
        assertThat(scan("package p; public class C { void f() { Runtime.getRuntime().halt(1); } }"))
                .hasValue("p.C calls java.lang.Runtime.halt");
        assertThat(scan("package p; public class C { void f() { Runtime.getRuntime().exit(1); } }"))
                .hasValue("p.C calls java.lang.Runtime.exit");
    }

    @Test
    void aMethodReferenceToHaltIsFound() throws IOException {
        assertThat(scan("""
                package p;
                public class C {
                    java.util.function.IntConsumer f() { return Runtime.getRuntime()::halt; }
                }
                """)).hasValue("p.C calls java.lang.Runtime.halt");
    }

    @Test
    void anExitLookedUpByReflectionFromConstantNamesIsFound() throws Exception {
        assertThat(scan("""
                package p;
                public class C {
                    void f() throws Exception {
                        Class.forName("java.lang.Runtime").getMethod("halt", int.class).invoke(Runtime.getRuntime(), 0);
                    }
                }
                """)).hasValueSatisfying(s -> assertThat(s).startsWith("p.C looks up").contains("reflection"));
    }

    @Test
    void ordinaryCodeAndAnUnrelatedMethodNamedExitPass() throws IOException {
        assertThat(scan("""
                package p;
                public class C {
                    static void exit(int code) { }
                    void f() { exit(1); System.out.println("exit"); List.of(1); }
                    interface List { static void of(int i) { } }
                }
                """)).isEmpty();
    }

    @Test
    void aJarThatIsNotAZipIsAnIOException() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.jar"), "not a jar");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExitCalls.in(bad)).isInstanceOf(IOException.class);
    }

    @Test
    void aNonClassFileWithAClassNameIsIgnored() throws IOException {
        Path jar = dir.resolve("odd.jar");
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(jar))) {
            jos.putNextEntry(new JarEntry("p/Odd.class"));
            jos.write("plain text".getBytes());
            jos.closeEntry();
        }
        assertThat(ExitCalls.in(jar)).isEmpty();
    }
}
