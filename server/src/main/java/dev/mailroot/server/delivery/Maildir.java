package dev.mailroot.server.delivery;

import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.Fsync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mailbox's Maildir ({@code tmp/}, {@code new/}, {@code cur/}), written the Maildir way: a
 * unique name in {@code tmp/}, the data fsync'd, a rename into {@code new/}, and {@code new/}
 * fsync'd so the rename survives a crash (one fsync of {@code new/} serves all the deliveries
 * renamed into it while it waited). Readers (Dovecot, mutt) see only complete messages.
 * Thread-safe.
 */
public final class Maildir {
    private static final AtomicLong DELIVERIES = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private final Path root;
    private final String host;
    private final Clock clock;
    private final Fsync.Directory newDir;

    private Maildir(Path root, String host, Clock clock) {
        this.root = root;
        this.host = host;
        this.clock = clock;
        this.newDir = new Fsync.Directory(root.resolve("new"));
    }

    /** Opens the Maildir at {@code root}, creating its folders (durably) if they are missing. */
    public static Maildir open(Path root, String hostname, Clock clock) throws IOException {
        createFolders(root);
        return new Maildir(root, safeHost(hostname), clock);
    }

    /**
     * Creates the folders again if they went missing since {@link #open} (an administrator removed
     * the mailbox while the server ran).
     *
     * @return true if something had to be created
     */
    public boolean restoreFolders() throws IOException {
        return createFolders(root);
    }

    private static boolean createFolders(Path root) throws IOException {
        if (Files.isDirectory(root.resolve("tmp")) && Files.isDirectory(root.resolve("new"))
                && Files.isDirectory(root.resolve("cur"))) {
            return false;
        }
        Path mailbox = root.getParent();
        Files.createDirectories(mailbox);
        Files.createDirectories(root);
        for (String sub : new String[]{"tmp", "new", "cur"}) {
            Files.createDirectories(root.resolve(sub));
        }
        Fsync.directory(root);
        Fsync.directory(mailbox);
        Fsync.directory(mailbox.getParent());
        return true;
    }

    public Path root() {
        return root;
    }

    /**
     * Delivers one copy: {@code prefix} (the trace fields added at delivery) followed by
     * {@code content}.
     *
     * @return the file in {@code new/}
     */
    public Path deliver(byte[] prefix, MessageContent content) throws IOException {
        long size = prefix.length + content.size();
        String name = uniqueName(size);
        Path tmp = root.resolve("tmp").resolve(name);
        Path dest = root.resolve("new").resolve(name);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.wrap(prefix);
                while (head.hasRemaining()) {
                    out.write(head);
                }
                content.writeTo(out);
                out.force(true);
            }
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        newDir.sync(); // shared with the other deliveries renamed into new/ meanwhile
        return dest;
    }

    /**
     * {@code <seconds>.M<micros, 6 digits>P<pid>Q<n>.<host>,S=<size>}: unique per host, and names
     * sort in delivery order.
     */
    private String uniqueName(long size) {
        Instant now = clock.instant();
        return now.getEpochSecond() + ".M" + String.format("%06d", now.getNano() / 1000) + "P" + PID + "Q"
                + DELIVERIES.incrementAndGet() + "." + host + ",S=" + size;
    }

    /** The host part of a Maildir name may not contain '/' or ':' (the Maildir spec's escapes). */
    private static String safeHost(String hostname) {
        return hostname.replace("/", "\\057").replace(":", "\\072");
    }
}
