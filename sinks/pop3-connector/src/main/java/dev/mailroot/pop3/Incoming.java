package dev.mailroot.pop3;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pop3/incoming/}: downloads that are durable on disk and not yet handed off. A message is
 * written under a temporary name, fsync'd and renamed to its {@link DownloadName}; the folder is
 * fsync'd.
 */
final class Incoming {

    /** The local disk failed, not the server: every other message would fail the same way. */
    static final class LocalFailure extends Exception {
        LocalFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private final Path dir;

    Incoming(Path dir) {
        this.dir = dir;
    }

    /** The downloads {@code account} left here (a crash, or a hand-off that failed), oldest name first. */
    List<Path> leftovers(String account) throws IOException {
        List<Path> left = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.eml")) {
            for (Path p : ds) {
                if (DownloadName.parse(p.getFileName().toString()).filter(n -> n.account().equals(account)).isPresent()) {
                    left.add(p);
                }
            }
        }
        left.sort(null);
        return left;
    }

    /**
     * Downloads {@code m} (RETR) into this folder as {@code name}; durable when this returns.
     *
     * @throws MessagingException if the server could not give the message (its {@code -ERR}, a lost connection)
     * @throws IOException        if the connection failed while the message was read
     * @throws LocalFailure       if the file could not be written here
     */
    Path save(Message m, String name) throws MessagingException, IOException, LocalFailure {
        Path tmp = dir.resolve("." + name + ".part");
        Path target = dir.resolve(name);
        try {
            write(m, tmp);
        } catch (MessagingException | IOException | LocalFailure e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Transfer.fsyncDir(dir);
        } catch (IOException e) {
            throw new LocalFailure(e);
        }
        return target;
    }

    private static void write(Message m, Path tmp) throws MessagingException, IOException, LocalFailure {
        FileChannel ch;
        try {
            ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new LocalFailure(e);
        }
        try (ch) {
            FileStream out = new FileStream(ch);
            try {
                m.writeTo(out);
            } catch (IOException e) {
                // the POP3 client reads the whole reply before it passes on an error of our stream
                if (out.failure != null) {
                    throw new LocalFailure(out.failure);
                }
                throw e;
            }
            try {
                out.flush();
                ch.force(true);
            } catch (IOException e) {
                throw new LocalFailure(e);
            }
        }
    }

    /**
     * Writes to the file through a buffer (the POP3 client writes a byte at a time) and remembers
     * whether the file failed, to tell that from a failed connection.
     */
    private static final class FileStream extends OutputStream {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(65536);
        private IOException failure;

        FileStream(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            if (!buf.hasRemaining()) {
                flush();
            }
            buf.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(len, buf.remaining());
                buf.put(b, off, n);
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            buf.flip();
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            } catch (IOException e) {
                failure = e;
                throw e;
            } finally {
                buf.clear();
            }
        }
    }
}
