package dev.mailroot.server.badmail;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.Fsync;
import dev.mailroot.server.spool.SpoolEnvelope;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The badmail folder, as IIS keeps it: {@code <id>.bad} is the message, re-submittable by moving it
 * into the pickup folder (it starts with {@code x-sender:} and {@code x-receiver:} lines naming the
 * envelope), and {@code <id>.bdr} beside it says when, what and why in plain text. The reason file
 * is written first, so a {@code .bad} never lacks its reason. Thread-safe.
 */
public final class Badmail {

    /** One recipient that could not be delivered, and why. */
    public record Failure(String recipient, String reason) {
    }

    private final Path dir;
    private final Clock clock;
    private final String title;

    public Badmail(Path dir, Clock clock) {
        this(dir, clock, "Mailroot badmail report");
    }

    /**
     * A folder kept the badmail way under another name ({@code mailroot/poison/}), whose reason
     * files start with {@code title}.
     */
    public Badmail(Path dir, Clock clock, String title) {
        this.dir = dir;
        this.clock = clock;
        this.title = title;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Keeps {@code content} in badmail for the given recipients. Durable when this returns.
     *
     * @param id         the message id
     * @param envelope   the envelope (sender, arrival, source)
     * @param recipients the recipients the .bad file should be re-submitted to
     * @param content    the message
     * @param newline    the message's line end, for the x-sender/x-receiver lines
     * @param reason     the cause in one line
     * @param failures   per-recipient details; may be empty
     * @return the .bad file
     */
    public Path write(String id, SpoolEnvelope envelope, List<String> recipients, MessageContent content,
                      String newline, String reason, List<Failure> failures) throws IOException {
        Files.createDirectories(dir);
        String base = freeName(id);
        Path bad = dir.resolve(base + ".bad");
        Path bdr = dir.resolve(base + ".bdr");
        writeDurably(bdr, report(id, envelope, recipients, reason, failures).getBytes(StandardCharsets.UTF_8), null);
        writeDurably(bad, envelopeLines(envelope.mailFrom(), recipients, newline), content);
        Fsync.directory(dir);
        return bad;
    }

    /**
     * Moves a file that cannot be a message (a bad pickup file) into badmail as it is, with a reason
     * file beside it. The file is renamed when it can be (same file system), else copied and
     * removed. Durable when this returns. Nothing here follows a link or opens the file for
     * writing: a symbolic link (or another entry that is not a regular file) is moved as the link
     * itself, never its target, and a read-only file or one owned by another user moves like any.
     *
     * @param id     the id it was given
     * @param file   the file, which leaves its folder
     * @param origin where it came from, for the reason file ("pickup file foo.eml")
     * @param reason why it is bad, in one line
     * @return the .bad file
     */
    public Path quarantine(String id, Path file, String origin, String reason) throws IOException {
        Files.createDirectories(dir);
        String base = freeName(id);
        Path bad = dir.resolve(base + ".bad");
        Path bdr = dir.resolve(base + ".bdr");
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String report = title + "\n"
                + "Message id:  " + id + "\n"
                + "Time:        " + clock.instant() + "\n"
                + "Reason:      " + oneLine(reason) + "\n"
                + "Arrived:     as " + oneLine(origin) + (a.isRegularFile() ? " (" + a.size() + " bytes); kept as it was\n"
                : " (not a regular file); kept as it was, unread\n")
                + "\nTo resubmit: correct the file, then move it into mailroot/pickup/ under a name ending in .eml.\n";
        writeDurably(bdr, report.getBytes(StandardCharsets.UTF_8), null);
        try {
            Files.move(file, bad, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            // another file system: Files.move copies the entry itself (a link as a link), then removes it
            Path tmp = dir.resolve("." + bad.getFileName() + ".tmp");
            Files.move(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, bad, StandardCopyOption.ATOMIC_MOVE);
        }
        if (a.isRegularFile()) {
            syncData(bad);
        }
        Fsync.directory(dir);
        return bad;
    }

    /**
     * Makes a quarantined file's data durable if it can be read; a file nobody may read here was
     * only renamed, and the folder's fsync makes that durable.
     */
    private static void syncData(Path file) throws IOException {
        try {
            Fsync.file(file);
        } catch (java.nio.file.AccessDeniedException e) {
            // not readable by the server: nothing of it was written here
        }
    }

    /** {@code id}, or {@code id-2}, {@code id-3}... if a message already went to badmail under that id. */
    private String freeName(String id) {
        String name = id;
        for (int n = 2; Files.exists(dir.resolve(name + ".bad")) || Files.exists(dir.resolve(name + ".bdr")); n++) {
            name = id + "-" + n;
        }
        return name;
    }

    private static byte[] envelopeLines(String mailFrom, List<String> recipients, String newline) {
        StringBuilder sb = new StringBuilder();
        sb.append("x-sender: ").append(mailFrom).append(newline);
        for (String r : recipients) {
            sb.append("x-receiver: ").append(r).append(newline);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String report(String id, SpoolEnvelope e, List<String> recipients, String reason, List<Failure> failures) {
        Instant now = clock.instant();
        StringBuilder sb = new StringBuilder();
        sb.append(title).append('\n');
        sb.append("Message id:  ").append(id).append('\n');
        sb.append("Time:        ").append(now).append('\n');
        sb.append("Reason:      ").append(oneLine(reason)).append('\n');
        sb.append("Arrived:     ").append(e.arrivalTime()).append(" via ").append(e.source().wireName());
        if (e.clientAddress() != null) {
            sb.append(" from [").append(e.clientAddress()).append(']');
        }
        if (e.helo() != null) {
            sb.append(" helo=").append(oneLine(e.helo()));
        }
        if (e.pickupFileName() != null) {
            sb.append(" file=").append(oneLine(e.pickupFileName()));
        }
        sb.append('\n');
        sb.append("Sender:      <").append(oneLine(e.mailFrom())).append(">\n");
        sb.append("Recipients:  ");
        for (int i = 0; i < recipients.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('<').append(oneLine(recipients.get(i))).append('>');
        }
        sb.append('\n');
        for (Failure f : failures) {
            sb.append("Failed:      <").append(oneLine(f.recipient())).append(">: ").append(oneLine(f.reason())).append('\n');
        }
        sb.append("\nTo resubmit: correct the cause, then move the .bad file into mailroot/pickup/ under a\n"
                + "name ending in .eml (its x-sender/x-receiver lines carry the envelope).\n");
        return sb.toString();
    }

    /** Text from outside as one line with every control character shown, not acting: the reason file is read with cat. */
    private static String oneLine(String s) {
        return s == null ? "" : ControlCharacters.escape(s.replaceAll("\\R+", " "));
    }

    private void writeDurably(Path target, byte[] head, MessageContent rest) throws IOException {
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(head);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            if (rest != null) {
                rest.writeTo(out);
            }
            out.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
