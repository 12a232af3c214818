package dev.mailroot.pop3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The UIDLs of an account's messages that have been handed off (to pickup or to failed/), kept in
 * {@code pop3/state/<account>.uids}: one line per UIDL, appended and fsync'd at each hand-off, and
 * rewritten at the start of each session with only the UIDLs still on the server. A message whose
 * UIDL is here is never downloaded again: with {@code leaveOnServer} it is skipped, otherwise it is
 * deleted (its earlier deletion was cut short). Used by one retrieval at a time.
 */
final class UidState {
    private final Path file;
    private final Set<String> uids = new LinkedHashSet<>();

    private UidState(Path file) {
        this.file = file;
    }

    static UidState load(Path dir, String account) throws IOException {
        Files.createDirectories(dir);
        UidState s = new UidState(dir.resolve(account + ".uids"));
        if (Files.exists(s.file)) {
            for (String line : Files.readAllLines(s.file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    s.uids.add(line.strip());
                }
            }
        }
        return s;
    }

    boolean contains(String uid) {
        return uids.contains(uid);
    }

    /** Keeps only the UIDLs still on the server, and rewrites the file so it stays small. */
    void retainOnly(Collection<String> onServer) throws IOException {
        if (uids.retainAll(Set.copyOf(onServer)) || !Files.exists(file)) {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            write(tmp, String.join("\n", uids) + (uids.isEmpty() ? "" : "\n"), false);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Records a hand-off; durable when this returns. */
    void add(String uid) throws IOException {
        if (uids.add(uid)) {
            write(file, uid + "\n", true);
        }
    }

    private static void write(Path f, String text, boolean append) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }
}
