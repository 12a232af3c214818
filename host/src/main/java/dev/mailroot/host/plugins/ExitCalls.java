package dev.mailroot.host.plugins;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Finds code in a plugin jar that can end the server's process: a call to {@code System.exit},
 * {@code Runtime.exit} or {@code Runtime.halt}, directly, through a method handle, or looked up by
 * reflection from constant names. It reads the constant pool of every class file in the jar; no
 * plugin code runs.
 *
 * <p>It is a load-time check, not a sandbox (docs/architecture.md, "What a plugin cannot do"): a
 * name assembled at run time, native code, or a process that signals the server is not seen. Those
 * are what poison-message protection and a supervisor's restart are for.
 */
public final class ExitCalls {
    private ExitCalls() {
    }

    /**
     * The first class in {@code jar} that can end the process, and how ("a.b.C calls
     * java.lang.System.exit"), or empty if none does.
     *
     * @throws IOException if the jar cannot be read
     */
    public static Optional<String> in(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(file.entries())) {
                if (e.isDirectory() || !e.getName().endsWith(".class")) {
                    continue;
                }
                String cls = e.getName().substring(0, e.getName().length() - 6)
                        .replaceFirst("^META-INF/versions/\\d+/", "").replace('/', '.');
                try (InputStream in = file.getInputStream(e)) {
                    Optional<String> how = inClass(in.readAllBytes());
                    if (how.isPresent()) {
                        return Optional.of(cls + " " + how.get());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** How one class file can end the process ("calls java.lang.System.exit"), or empty. Not a class file: empty. */
    static Optional<String> inClass(byte[] classFile) throws IOException {
        Pool pool = Pool.read(classFile);
        if (pool == null) {
            return Optional.empty();
        }
        boolean reflects = false;
        boolean namesSystemOrRuntime = false;
        boolean namesExitOrHalt = false;
        for (int i = 1; i < pool.count; i++) {
            switch (pool.tag[i]) {
                case Pool.METHODREF, Pool.INTERFACE_METHODREF -> {
                    String owner = pool.className(pool.a[i]);
                    String name = pool.utf8(pool.a[pool.b[i]]);
                    if (ends(owner, name)) {
                        return Optional.of("calls " + owner.replace('/', '.') + "." + name);
                    }
                    if (("java/lang/Class".equals(owner) && name != null && name.matches("get(Declared)?Methods?"))
                            || ("java/lang/invoke/MethodHandles$Lookup".equals(owner) && name != null && name.startsWith("find"))) {
                        reflects = true;
                    }
                }
                case Pool.CLASS -> namesSystemOrRuntime |= isSystemOrRuntime(pool.utf8(pool.a[i]));
                case Pool.STRING -> {
                    String s = pool.utf8(pool.a[i]);
                    namesSystemOrRuntime |= isSystemOrRuntime(s);
                    namesExitOrHalt |= "exit".equals(s) || "halt".equals(s);
                }
                default -> {
                    // other constants say nothing about ending the process
                }
            }
        }
        if (reflects && namesSystemOrRuntime && namesExitOrHalt) {
            return Optional.of("looks up System.exit, Runtime.exit or Runtime.halt by reflection");
        }
        return Optional.empty();
    }

    private static boolean ends(String owner, String name) {
        return ("java/lang/System".equals(owner) && "exit".equals(name))
                || ("java/lang/Runtime".equals(owner) && ("exit".equals(name) || "halt".equals(name)));
    }

    private static boolean isSystemOrRuntime(String s) {
        return s != null && (s.equals("java/lang/System") || s.equals("java/lang/Runtime")
                || s.equals("java.lang.System") || s.equals("java.lang.Runtime"));
    }

    /** The constant pool of a class file (JVMS §4.4): tags, two operands per entry, UTF-8 texts. */
    private static final class Pool {
        static final int UTF8 = 1;
        static final int CLASS = 7;
        static final int STRING = 8;
        static final int METHODREF = 10;
        static final int INTERFACE_METHODREF = 11;

        final int count;
        final byte[] tag;
        final int[] a;
        final int[] b;
        final String[] text;

        private Pool(int count) {
            this.count = count;
            this.tag = new byte[count];
            this.a = new int[count];
            this.b = new int[count];
            this.text = new String[count];
        }

        static Pool read(byte[] bytes) throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
            if (bytes.length < 10 || in.readInt() != 0xCAFEBABE) {
                return null;
            }
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            Pool p = new Pool(in.readUnsignedShort());
            for (int i = 1; i < p.count; i++) {
                int t = in.readUnsignedByte();
                p.tag[i] = (byte) t;
                switch (t) {
                    case UTF8 -> p.text[i] = in.readUTF();
                    case 3, 4 -> in.readInt();                       // Integer, Float
                    case 5, 6 -> {                                    // Long, Double take two entries
                        in.readLong();
                        i++;
                    }
                    case CLASS, STRING, 16, 19, 20 -> p.a[i] = in.readUnsignedShort(); // Class, String, MethodType, Module, Package
                    case 9, METHODREF, INTERFACE_METHODREF, 12, 17, 18 -> { // refs, NameAndType, (Invoke)Dynamic
                        p.a[i] = in.readUnsignedShort();
                        p.b[i] = in.readUnsignedShort();
                    }
                    case 15 -> {                                      // MethodHandle: kind, reference
                        in.readUnsignedByte();
                        p.a[i] = in.readUnsignedShort();
                    }
                    default -> throw new IOException("unknown constant pool tag " + t + " at entry " + i);
                }
            }
            return p;
        }

        String utf8(int i) {
            return i > 0 && i < count && tag[i] == UTF8 ? text[i] : null;
        }

        String className(int i) {
            return i > 0 && i < count && tag[i] == CLASS ? utf8(a[i]) : null;
        }
    }
}
