package dev.mailroot.server.directory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Maildir's usage, kept in its {@code maildirsize} file the Maildir++ way (as Dovecot, Courier and
 * Postfix's {@code virtual(8)} with the quota patch read and write it): the first line is the quota
 * definition ({@code 204800000S,10000C}), each further line {@code <bytes> <messages>} (a delivery
 * appends {@code <size> 1}, a removal a negative line). The usage is the sum. A missing file, or one
 * whose definition differs from the directory's, is rebuilt by counting every message of every
 * folder ({@code new/}, {@code cur/}, {@code .Folder/new|cur}), using the {@code ,S=} size in the
 * name when present. Appends are single {@code write}s in append mode, so concurrent deliveries
 * (Mailroot's and Dovecot's) do not tear lines.
 */
public final class MaildirQuota {
    private static final Pattern SIZE = Pattern.compile(",S=(\\d+)");

    private MaildirQuota() {
    }

    /**
     * Usage of a Maildir.
     *
     * @param bytes    bytes
     * @param messages messages
     */
    public record Usage(long bytes, long messages) {
        public static final Usage NONE = new Usage(0, 0);
    }

    /** The usage of {@code maildir} under {@code quota}, rebuilding {@code maildirsize} when missing or stale. */
    public static Usage usage(Path maildir, Quota quota) throws IOException {
        if (!Files.isDirectory(maildir)) {
            return Usage.NONE;
        }
        Path file = maildir.resolve("maildirsize");
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            if (!lines.isEmpty() && lines.get(0).strip().equals(quota.maildirDefinition())) {
                long bytes = 0;
                long messages = 0;
                for (int i = 1; i < lines.size(); i++) {
                    String[] p = lines.get(i).strip().split("\\s+");
                    if (p.length == 2) {
                        try {
                            bytes += Long.parseLong(p[0]);
                            messages += Long.parseLong(p[1]);
                        } catch (NumberFormatException e) {
                            return rebuild(maildir, quota);
                        }
                    }
                }
                return new Usage(Math.max(0, bytes), Math.max(0, messages));
            }
        } catch (NoSuchFileException e) {
            // counted below
        }
        return rebuild(maildir, quota);
    }

    /** Records one delivered message of {@code size} bytes (appends {@code size 1}). */
    public static void added(Path maildir, Quota quota, long size) throws IOException {
        Path file = maildir.resolve("maildirsize");
        if (!Files.exists(file)) {
            rebuild(maildir, quota); // counts the message just delivered too
            return;
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer line = ByteBuffer.wrap((size + " 1\n").getBytes(StandardCharsets.US_ASCII));
            while (line.hasRemaining()) {
                out.write(line);
            }
        }
    }

    /** Counts everything and writes a fresh {@code maildirsize}. */
    public static Usage rebuild(Path maildir, Quota quota) throws IOException {
        long[] total = counted(maildir);
        Path tmp = maildir.resolve("tmp").resolve("maildirsize." + ProcessHandle.current().pid() + "." + Thread.currentThread().getId());
        Files.createDirectories(tmp.getParent());
        Files.writeString(tmp, quota.maildirDefinition() + "\n" + total[0] + " " + total[1] + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, maildir.resolve("maildirsize"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Usage(total[0], total[1]);
    }

    /**
     * The usage of {@code maildir} without writing anything (for {@code bin/mailroot doctor}, which
     * may run as another user than the server): {@code maildirsize} when it is current, else a count.
     */
    public static Usage peek(Path maildir, Quota quota) throws IOException {
        if (!Files.isDirectory(maildir)) {
            return Usage.NONE;
        }
        try {
            List<String> lines = Files.readAllLines(maildir.resolve("maildirsize"), StandardCharsets.US_ASCII);
            if (!lines.isEmpty() && lines.get(0).strip().equals(quota.maildirDefinition())) {
                long bytes = 0;
                long messages = 0;
                for (int i = 1; i < lines.size(); i++) {
                    String[] p = lines.get(i).strip().split("\\s+");
                    if (p.length == 2) {
                        bytes += Long.parseLong(p[0]);
                        messages += Long.parseLong(p[1]);
                    }
                }
                return new Usage(Math.max(0, bytes), Math.max(0, messages));
            }
        } catch (NoSuchFileException | NumberFormatException e) {
            // counted below
        }
        long[] total = counted(maildir);
        return new Usage(total[0], total[1]);
    }

    private static long[] counted(Path maildir) throws IOException {
        long[] total = new long[2];
        count(maildir, total);
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(maildir, p -> p.getFileName().toString().startsWith(".")
                && Files.isDirectory(p))) {
            for (Path f : folders) {
                count(f, total);
            }
        }
        return total;
    }

    private static void count(Path folder, long[] total) throws IOException {
        for (String sub : new String[]{"new", "cur"}) {
            Path dir = folder.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Matcher m = SIZE.matcher(f.getFileName().toString());
                    long size;
                    if (m.find()) {
                        size = Long.parseLong(m.group(1));
                    } else {
                        try {
                            size = Files.size(f);
                        } catch (NoSuchFileException gone) {
                            continue; // expunged meanwhile
                        }
                    }
                    total[0] += size;
                    total[1]++;
                }
            }
        }
    }
}
