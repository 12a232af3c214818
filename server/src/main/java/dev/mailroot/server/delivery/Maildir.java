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
     * {@code content}, with the line ends as stored on disk: CRLF turned into LF unless {@code crlf}
     * (the way Postfix's {@code virtual(8)} and Dovecot's LDA store mail; a bare CR is kept).
     *
     * @return the file in {@code new/}; its name carries {@code ,S=<size on disk>}
     */
    public Path deliver(byte[] prefix, MessageContent content, boolean crlf) throws IOException {
        return deliverTo("new", prefix, content, crlf);
    }

    /** As {@link #deliver(byte[], MessageContent, boolean)} with CRLF kept (the message as received). */
    public Path deliver(byte[] prefix, MessageContent content) throws IOException {
        return deliver(prefix, content, true);
    }

    /**
     * Delivers into the Maildir++ folder {@code folder} ({@code .Work.Reports}, created durably with
     * its {@code tmp/new/cur} when missing, and listed in {@code subscriptions} as Dovecot and Courier
     * read it), or into the inbox when {@code folder} is null.
     */
    public Path deliverToFolder(String folder, byte[] prefix, MessageContent content, boolean crlf) throws IOException {
        if (folder == null) {
            return deliver(prefix, content, crlf);
        }
        if (!folder.startsWith(".") || folder.equals(".") || folder.equals("..") || folder.contains("/")
                || folder.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("not a Maildir++ folder name: " + folder);
        }
        Path dir = root.resolve(folder);
        if (createFolders(dir)) {
            Files.writeString(dir.resolve("maildirfolder"), "");
            subscribe(folder.substring(1));
        }
        return new Maildir(dir, host, clock).deliverTo("new", prefix, content, crlf);
    }

    /** Adds {@code name} (Maildir++ name without its leading dot) to {@code subscriptions}. */
    private synchronized void subscribe(String name) throws IOException {
        Path subs = root.resolve("subscriptions");
        java.util.List<String> lines = Files.exists(subs) ? Files.readAllLines(subs) : java.util.List.of();
        if (!lines.contains(name)) {
            Files.writeString(subs, name + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private Path deliverTo(String sub, byte[] prefix, MessageContent content, boolean crlf) throws IOException {
        String name = uniqueName();
        Path tmp = root.resolve("tmp").resolve(name);
        long size;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (crlf) {
                    ByteBuffer head = ByteBuffer.wrap(prefix);
                    while (head.hasRemaining()) {
                        out.write(head);
                    }
                    content.writeTo(out);
                } else {
                    LineEnds lf = new LineEnds(out);
                    lf.write(prefix, prefix.length);
                    try (java.io.InputStream in = content.open()) {
                        byte[] buf = new byte[65536];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            lf.write(buf, n);
                        }
                    }
                    lf.finish();
                }
                out.force(true);
                size = out.size();
            }
            Path dest = root.resolve(sub).resolve(name + ",S=" + size);
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            newDir.sync(); // shared with the other deliveries renamed into new/ meanwhile
            return dest;
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Writes bytes with every CRLF turned into LF (a CR at the end of one buffer waits for the next). */
    private static final class LineEnds {
        private final FileChannel out;
        private final byte[] buf = new byte[65536 + 1];
        private boolean pendingCr;

        LineEnds(FileChannel out) {
            this.out = out;
        }

        void write(byte[] in, int length) throws IOException {
            int n = 0;
            int i = 0;
            if (pendingCr) {
                if (length > 0 && in[0] != '\n') {
                    buf[n++] = '\r';
                }
                pendingCr = false;
            }
            for (; i < length; i++) {
                byte b = in[i];
                if (b == '\r') {
                    if (i + 1 < length) {
                        if (in[i + 1] != '\n') {
                            buf[n++] = b;
                        }
                    } else {
                        pendingCr = true;
                    }
                } else {
                    buf[n++] = b;
                }
                if (n >= 65536) {
                    flush(n);
                    n = 0;
                }
            }
            flush(n);
        }

        void finish() throws IOException {
            if (pendingCr) {
                buf[0] = '\r';
                flush(1);
                pendingCr = false;
            }
        }

        private void flush(int n) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    /**
     * {@code <seconds>.M<micros, 6 digits>P<pid>Q<n>.<host>} (the file in {@code new/} adds
     * {@code ,S=<size>}): unique per host, and names sort in delivery order.
     */
    private String uniqueName() {
        Instant now = clock.instant();
        return now.getEpochSecond() + ".M" + String.format("%06d", now.getNano() / 1000) + "P" + PID + "Q"
                + DELIVERIES.incrementAndGet() + "." + host;
    }

    /** The host part of a Maildir name may not contain '/' or ':' (the Maildir spec's escapes). */
    private static String safeHost(String hostname) {
        return hostname.replace("/", "\\057").replace(":", "\\072");
    }
}
