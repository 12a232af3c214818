package dev.mailroot.host.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * A configuration file that the server reads and tools edit while it runs ({@code bindings.yaml},
 * {@code mailboxes.yaml}): writes happen under an exclusive lock on {@code <name>.lock}, re-read the
 * file inside the lock, and replace it atomically (temporary file, fsync, rename, fsync of the
 * folder), so two writers, in one process or several, never lose each other's change and a reader
 * never sees half a file. Polling readers detect changes with {@link #stamp()}.
 */
public final class LockedTextFile {

    /** A change to the text: the current text (empty if the file does not exist) to the new one. */
    @FunctionalInterface
    public interface Change<E extends Exception> {
        String apply(Optional<String> current) throws E;
    }

    private final Path file;
    private final Path lockFile;

    public LockedTextFile(Path file) {
        this.file = file;
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    }

    public Path file() {
        return file;
    }

    /** The file's text; empty if it does not exist. */
    public Optional<String> read() throws IOException {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Applies {@code change} to the current text and writes the result, all under the lock. If
     * {@code change} throws, the file is left as it was.
     *
     * @return the text written
     */
    public <E extends Exception> String update(Change<E> change) throws IOException, E {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lock(ch)) {
            String next = change.apply(read());
            write(next);
            return next;
        }
    }

    /**
     * What identifies the file's current version (modification time, size, file key), for change
     * detection by polling; null if the file does not exist.
     */
    public Object stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime().toMillis(), a.size(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return null;
        }
    }

    private static FileLock lock(FileChannel ch) throws IOException {
        while (true) {
            try {
                return ch.lock();
            } catch (OverlappingFileLockException e) {
                // another thread of this process holds it: wait our turn
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + ch, ie);
                }
            }
        }
    }

    private void write(String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
