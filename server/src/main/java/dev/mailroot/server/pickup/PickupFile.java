package dev.mailroot.server.pickup;

import dev.mailroot.server.message.MessageContent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;

/**
 * A claimed pickup file, opened once without following links ({@code O_NOFOLLOW}) and read only
 * through that open channel afterwards: its size, its envelope lines, its content and the copy into
 * the spool or badmail never go through its name again. So a symbolic link put in its place, before
 * or after the claim, is never followed, and no other file's content can be delivered in its name.
 *
 * <p>Java cannot ask an open channel what it is ({@code fstat}), so the entry is checked before the
 * open (a regular file) and after it (still a regular file, and the same one, by device and inode).
 * The claim lives in the server's own {@code .claimed/<instance>/} folder, where nobody else
 * writes, so nothing changes it between those checks.
 */
final class PickupFile implements Closeable {
    private final FileChannel channel;
    private final long size;

    private PickupFile(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    static PickupFile open(Path file) throws IOException, NotARegularFile {
        return open(file, () -> { });
    }

    /**
     * Opens {@code file}; {@code beforeOpen} runs between the first check and the open (a test puts
     * a link there).
     *
     * @throws NotARegularFile if it is, or becomes, anything but one regular file
     */
    static PickupFile open(Path file, Runnable beforeOpen) throws IOException, NotARegularFile {
        BasicFileAttributes seen = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!seen.isRegularFile()) {
            throw new NotARegularFile(reason(file, seen));
        }
        beforeOpen.run();
        FileChannel channel;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            // O_NOFOLLOW refuses a link with ELOOP, which Java reports as a plain IOException
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!now.isRegularFile()) {
                throw new NotARegularFile(reason(file, now)); // a link refused by O_NOFOLLOW (ELOOP)
            }
            throw e;
        }
        try {
            BasicFileAttributes opened = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!opened.isRegularFile()) {
                throw new NotARegularFile(reason(file, opened));
            }
            if (!Objects.equals(seen.fileKey(), opened.fileKey())) {
                throw new NotARegularFile("the file was replaced by another while it was being opened");
            }
            return new PickupFile(channel, channel.size());
        } catch (IOException | NotARegularFile | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The reason a non-regular entry is refused, for the log and the badmail {@code .bdr}. */
    static String reason(Path file, BasicFileAttributes a) {
        String what;
        if (a.isSymbolicLink()) {
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(file));
            } catch (IOException | UnsupportedOperationException e) {
                target = "?";
            }
            what = "a symbolic link (to " + target + ")";
        } else if (a.isDirectory()) {
            what = "a folder";
        } else {
            what = "a special file (a FIFO, a socket or a device)";
        }
        return "not a regular file: " + what + "; it was not read";
    }

    /** The size when it was opened. */
    long size() {
        return size;
    }

    /** The size now, through the open channel (the file may have been removed meanwhile). */
    long sizeNow() throws IOException {
        return channel.size();
    }

    /** The whole file, read through the open channel; valid until {@link #close()}. */
    MessageContent content() {
        return MessageContent.ofChannel(channel, 0, size);
    }

    /** Bytes {@code offset} to the end, read through the open channel; valid until {@link #close()}. */
    MessageContent content(long offset) {
        return MessageContent.ofChannel(channel, offset, size - offset);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
