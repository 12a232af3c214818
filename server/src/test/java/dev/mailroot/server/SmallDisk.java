package dev.mailroot.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A real small file system for a test: a {@code tmpfs} of a few megabytes mounted on a folder, that
 * the test can fill to the last byte and free again. Mounting needs root, as CI runs; without it
 * the test fails with a message saying so (it never skips quietly).
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;
    private final Path filler;

    private SmallDisk(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve(".filler");
    }

    /** Mounts a tmpfs of {@code megabytes} on {@code dir} (created if needed). */
    public static SmallDisk mount(Path dir, int megabytes) throws IOException, InterruptedException {
        return mount(dir, "size=" + megabytes + "m");
    }

    /** Mounts a read-only tmpfs on {@code dir}: a folder nobody, not even root, can write to. */
    public static SmallDisk mountReadOnly(Path dir) throws IOException, InterruptedException {
        return mount(dir, "ro,size=1m");
    }

    private static SmallDisk mount(Path dir, String options) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        if (out != null) {
            throw new AssertionError("this test needs a real small file system: it mounts a tmpfs (" + options
                    + ") on " + dir + ", which needs root (CI runs as root), but mount said: " + out);
        }
        return new SmallDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Fills the file system to its last byte with a file of its own. */
    public void fill() throws IOException {
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            for (int chunk : new int[]{1 << 20, 64 << 10, 4 << 10, 1}) {
                ByteBuffer buf = ByteBuffer.allocate(chunk);
                while (true) {
                    buf.clear();
                    try {
                        ch.write(buf);
                    } catch (IOException full) {
                        break;
                    }
                    if (buf.hasRemaining()) {
                        break;
                    }
                }
            }
        }
    }

    /** Gives back {@code bytes} of what {@link #fill()} took. */
    public void free(long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, ch.size() - bytes));
        }
    }

    /** Gives back all that {@link #fill()} took. */
    public void unfill() throws IOException {
        Files.deleteIfExists(filler);
    }

    /** Bytes free on the file system now. */
    public long usable() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Unmounts (lazily if something still holds a file open, so the test's clean-up can go on). */
    @Override
    public void close() throws IOException, InterruptedException {
        if (run("umount", dir.toString()) != null) {
            String out = run("umount", "-l", dir.toString());
            if (out != null) {
                throw new IOException("cannot unmount " + dir + ": " + out);
            }
        }
    }

    /** Runs a command; null if it exited 0, else what it printed. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(cmd));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? null : (out.isEmpty() ? "exit " + p.exitValue() : out);
    }
}
