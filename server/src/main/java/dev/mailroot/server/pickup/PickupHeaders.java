package dev.mailroot.server.pickup;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * The start of a file kept in the pickup format (a pickup file, a {@code .bad} in badmail, poison
 * or quarantine, a Maildir file, a POP3 download): its {@code x-sender:}/{@code x-receiver:} lines,
 * read by the pickup's own rule, and its header section, from the first {@link #MAX_BYTES} bytes
 * only. For looking, not for submitting: lines the pickup would refuse are taken as no envelope.
 *
 * @param sender    the {@code x-sender:} address, or null without envelope lines
 * @param receivers the {@code x-receiver:} addresses; empty without envelope lines
 * @param section   the header section after the envelope lines
 */
public record PickupHeaders(String sender, List<String> receivers, HeaderSection section) {

    /** Only this much of a file is read. */
    public static final int MAX_BYTES = 64 * 1024;

    /** Reads the start of {@code file} without following a link. */
    public static PickupHeaders read(Path file) throws IOException {
        byte[] head;
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             InputStream in = Channels.newInputStream(ch)) {
            head = untilEmptyLine(in);
        }
        return of(head);
    }

    /** The start of {@code in} up to its first empty line (the header section's end), at most {@link #MAX_BYTES}. */
    private static byte[] untilEmptyLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(8192);
        byte[] buf = new byte[8192];
        int n;
        while (out.size() < MAX_BYTES && (n = in.read(buf, 0, Math.min(buf.length, MAX_BYTES - out.size()))) > 0) {
            int from = Math.max(0, out.size() - 3);
            out.write(buf, 0, n);
            byte[] all = out.toByteArray();
            for (int i = from; i + 1 < all.length; i++) {
                if (all[i] == '\n' && (all[i + 1] == '\n' || all[i + 1] == '\r' && i + 2 < all.length && all[i + 2] == '\n')) {
                    return all;
                }
            }
        }
        return out.toByteArray();
    }

    /** Reads the envelope lines and header section at the start of {@code head}. */
    public static PickupHeaders of(byte[] head) throws IOException {
        MessageContent content = MessageContent.of(head);
        try {
            PickupMessage.EnvelopeLines lines = PickupMessage.EnvelopeLines.read(content);
            return new PickupHeaders(lines.sender(), List.copyOf(lines.receivers()),
                    HeaderSection.parse(content.slice(lines.length())));
        } catch (BadPickupFile e) {
            return new PickupHeaders(null, List.of(), HeaderSection.parse(content));
        }
    }
}
