package dev.mailroot.server.console;

import dev.mailroot.server.message.HeaderSection;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The newest messages of a Maildir's inbox ({@code new/} and {@code cur/}), read from their header sections only. */
final class MaildirListing {
    /** One message: its file, when it arrived (the file's time), and the fields an administrator recognises it by. */
    record Item(Path file, Instant time, String from, String subject, String messageId, boolean unread) {
    }

    private static final int HEADER_BYTES = 64 * 1024;

    private MaildirListing() {
    }

    static List<Item> newest(Path maildir, int max) {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isRegularFile).forEach(files::add);
            } catch (IOException e) {
                // a folder that cannot be read lists nothing; the usage line says why
            }
        }
        files.sort(Comparator.comparing(MaildirListing::modified).reversed());
        List<Item> out = new ArrayList<>();
        for (Path f : files.subList(0, Math.min(max, files.size()))) {
            out.add(read(f));
        }
        return out;
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static Item read(Path f) {
        boolean unread = f.getParent().getFileName().toString().equals("new");
        try (InputStream in = Files.newInputStream(f)) {
            HeaderSection h = HeaderSection.parse(new java.io.ByteArrayInputStream(in.readNBytes(HEADER_BYTES)));
            return new Item(f, modified(f).toInstant(), decoded(h.first("From").orElse("")), decoded(h.first("Subject").orElse("")),
                    h.first("Message-ID").orElse(""), unread);
        } catch (IOException e) {
            return new Item(f, modified(f).toInstant(), "", "(cannot be read: " + e.getMessage() + ")", "", unread);
        }
    }

    /** An RFC 2047 encoded header value as the reader sees it; the raw text if it does not decode. */
    static String decoded(String value) {
        try {
            return jakarta.mail.internet.MimeUtility.decodeText(value);
        } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }
}
