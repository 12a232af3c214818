package dev.mailroot.server.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Durability helpers: make a file's data or a directory's entries reach the disk. */
public final class Fsync {
    private Fsync() {
    }

    /** Makes the entries of {@code dir} (created, renamed, removed files) durable. */
    public static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Makes the data of {@code file} durable. It is opened for reading (on Linux an fsync needs no
     * write access, so a read-only file or one owned by another user works) and without following
     * a link (a link fails: only a regular file has data to sync).
     */
    public static void file(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.READ,
                java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
            ch.force(true);
        }
    }

    /**
     * Replaces {@code target} with {@code text} (UTF-8) so that a reader sees the old file or the
     * whole new one: written to a temporary name beside it, forced to disk, renamed into place, the
     * folder forced. Concurrent writers of one target each use their own temporary name.
     */
    public static void replace(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(true);
        }
        java.nio.file.Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        directory(target.toAbsolutePath().getParent());
    }

    /**
     * Group commit for one directory's entries: many threads that each renamed a file into the
     * directory share fsyncs. A thread returns once an fsync that started after its call has
     * finished, so its rename is durable. Thread-safe.
     */
    public static final class Directory {
        private final Path dir;
        private long requested;
        private long covered;
        private boolean running;

        public Directory(Path dir) {
            this.dir = dir;
        }

        /** Makes every change made to the directory before this call durable. */
        public void sync() throws IOException {
            long mine;
            long target;
            synchronized (this) {
                mine = ++requested;
                while (true) {
                    if (covered >= mine) {
                        return;
                    }
                    if (!running) {
                        running = true;
                        target = requested;
                        break;
                    }
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while syncing " + dir);
                    }
                }
            }
            boolean ok = false;
            try {
                directory(dir);
                ok = true;
            } finally {
                synchronized (this) {
                    running = false;
                    if (ok) {
                        covered = Math.max(covered, target);
                    }
                    notifyAll();
                }
            }
        }
    }
}
