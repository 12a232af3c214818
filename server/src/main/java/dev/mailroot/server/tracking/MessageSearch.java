package dev.mailroot.server.tracking;

import dev.mailroot.server.Home;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.pickup.PickupHeaders;
import dev.mailroot.server.spool.SpoolEntry;
import jakarta.mail.internet.MimeUtility;

import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds messages wherever they are: the pickup folder (and its claims), the spool and outbound
 * queue (when the server runs in this process), poison, quarantine, badmail, the POP3 connector's
 * {@code pop3/incoming} and {@code pop3/failed}, every mailbox's Maildir, and the message-tracking
 * log for those that left. Reads header sections only (the first 64 KB of a file), each folder
 * newest first, and stops at a limit. What {@code bin/mailroot trace} and the console's search page
 * call. Thread-safe; reads only.
 */
public final class MessageSearch {
    /** At most this many files are read in one search (a time range narrows the scan first, by mtime). */
    public static final int MAX_FILES_READ = 20_000;
    private static final Pattern RECEIVED_ID = Pattern.compile("\\bid ([A-Za-z0-9._-]{1,64})");

    /** One message found: where it is and what its headers say. */
    public record Hit(String place, String id, Path file, Instant time, String from, List<String> to, String subject,
                      String messageId, String detail) {
        public Hit {
            to = List.copyOf(to);
        }
    }

    /** The hits, and whether more matched than were returned; {@code notes} say what was not searched. */
    public record Result(List<Hit> hits, boolean more, List<String> notes) {
        public Result {
            hits = List.copyOf(hits);
            notes = List.copyOf(notes);
        }
    }

    private final Home home;
    private final Supplier<Collection<SpoolEntry>> spool;

    /** A search of {@code home}'s folders and tracking log, without the spool (the server is elsewhere or stopped). */
    public MessageSearch(Home home) {
        this(home, null);
    }

    /** A search that also looks in the spool of the server running in this process. */
    public MessageSearch(Home home, Supplier<Collection<SpoolEntry>> spool) {
        this.home = home;
        this.spool = spool;
    }

    /** At most {@code limit} messages that {@code q} matches, place by place, newest first within each. */
    public List<Hit> search(SearchQuery q, int limit) {
        return find(q, limit).hits();
    }

    /** As {@link #search}, saying whether more matched and what could not be read. */
    public Result find(SearchQuery q, int limit) {
        return find(q, limit, true);
    }

    /** As {@link #find(SearchQuery, int)} without the tracking log (for a caller that reads the log's lines itself). */
    public Result places(SearchQuery q, int limit) {
        return find(q, limit, false);
    }

    private Result find(SearchQuery q, int limit, boolean withLog) {
        Scan scan = new Scan(q, limit);
        scan.folder("pickup", home.pickup(), 1, false);
        scan.claims(home.pickup().resolve(".claimed"));
        if (spool != null) {
            scan.spool(spool.get());
        }
        scan.folder("poison", home.poison(), 1, true);
        scan.folder("quarantine", home.quarantine(), 1, true);
        scan.folder("badmail", home.badmail(), 1, true);
        scan.folder("badmail/deleted", home.badmail().resolve("deleted"), 1, true);
        Path pop3 = home.mailroot().resolve("pop3");
        scan.folder("pop3/incoming", pop3.resolve("incoming"), 2, false);
        scan.folder("pop3/failed", pop3.resolve("failed"), 2, false);
        scan.mailboxes(home.mailboxes());
        if (withLog) {
            scan.log();
        }
        return new Result(scan.hits, scan.more, scan.notes);
    }

    /** One search in progress. */
    private final class Scan {
        final SearchQuery q;
        final int limit;
        final List<Hit> hits = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        boolean more;
        int read;

        Scan(SearchQuery q, int limit) {
            this.q = q;
            this.limit = Math.max(1, limit);
        }

        boolean full() {
            return hits.size() >= limit;
        }

        void add(Hit h) {
            if (full()) {
                more = true;
            } else {
                hits.add(h);
            }
        }

        /** The message files in {@code dir} (down to {@code depth}), newest first. */
        void folder(String place, Path dir, int depth, boolean badFiles) {
            if (more || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            for (Path f : newestFirst(dir, depth, badFiles)) {
                if (more || !readOne()) {
                    return;
                }
                String name = f.getFileName().toString();
                String id = badFiles ? name.substring(0, name.length() - 4) : name;
                file(place, f, id, reason(f, badFiles));
            }
        }

        /** {@code pickup/.claimed/<instance>/<id>.<name>}: files the pickup is processing. */
        void claims(Path claimed) {
            if (!Files.isDirectory(claimed, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            for (Path f : newestFirst(claimed, 2, false)) {
                if (more || !readOne()) {
                    return;
                }
                String name = f.getFileName().toString();
                int dot = name.indexOf('.');
                file("pickup/.claimed", f, dot > 0 ? name.substring(0, dot) : name, "being picked up");
            }
        }

        void mailboxes(Path root) {
            if (more || !Files.isDirectory(root)) {
                return;
            }
            List<Path> boxes = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                ds.forEach(boxes::add);
            } catch (IOException e) {
                notes.add("mailboxes: cannot list " + root + ": " + e.getMessage());
                return;
            }
            boxes.sort(Comparator.comparing(p -> p.getFileName().toString()));
            for (Path box : boxes) {
                Path maildir = box.resolve("Maildir");
                String name = box.getFileName().toString();
                mailbox("mailbox " + name, maildir);
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(maildir, ".*")) {
                    for (Path sub : ds) {
                        if (Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
                            mailbox("mailbox " + name + "/" + sub.getFileName().toString().substring(1), sub);
                        }
                    }
                } catch (IOException e) {
                    // no Maildir (yet), or no folders in it
                }
            }
        }

        private void mailbox(String place, Path maildir) {
            for (String part : List.of("new", "cur")) {
                Path dir = maildir.resolve(part);
                if (more || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                for (Path f : newestFirst(dir, 1, false)) {
                    if (more || !readOne()) {
                        return;
                    }
                    file(place, f, null, part.equals("new") ? "delivered, not yet read" : "delivered, seen by a client");
                }
            }
        }

        void spool(Collection<SpoolEntry> entries) {
            for (SpoolEntry e : entries) {
                if (TraceLookup.matches(e, q)) {
                    add(TraceLookup.hit(e, home.queue()));
                }
            }
        }

        void log() {
            if (more) {
                return;
            }
            try {
                TrackingLog.Found found = new TrackingLog(home.logs()).find(q, limit - hits.size() + 1);
                for (TrackingLog.Tracked t : found.messages()) {
                    add(t.hit());
                }
                more |= found.more();
            } catch (IOException e) {
                notes.add("tracking log: " + e.getMessage());
            }
        }

        private boolean readOne() {
            if (read++ >= MAX_FILES_READ) {
                if (read == MAX_FILES_READ + 1) {
                    notes.add("only " + MAX_FILES_READ + " files were read: give a time range (--since/--until) to search further");
                    more = true;
                }
                return false;
            }
            return true;
        }

        private List<Path> newestFirst(Path dir, int depth, boolean badFiles) {
            record Entry(Path path, Instant time) {
            }
            List<Entry> files = new ArrayList<>();
            try (var walk = Files.walk(dir, depth)) {
                walk.forEach(p -> {
                    String n = p.getFileName().toString();
                    if (n.startsWith(".") || n.endsWith(".tmp") || n.endsWith(".reason") || n.endsWith(".bdr")
                            || badFiles && !n.endsWith(".bad")) {
                        return;
                    }
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        Instant t = a.lastModifiedTime().toInstant();
                        if (a.isRegularFile() && !hidden(dir, p) && q.inRange(t)) {
                            files.add(new Entry(p, t));
                        }
                    } catch (IOException e) {
                        // gone meanwhile: picked up, delivered, moved
                    }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                notes.add(dir + ": cannot list: " + e.getMessage());
            }
            files.sort(Comparator.comparing(Entry::time).reversed());
            return files.stream().map(Entry::path).toList();
        }

        /** A file under a hidden folder (pickup's {@code .claimed}) belongs to another place. */
        private boolean hidden(Path dir, Path p) {
            for (Path part : dir.relativize(p)) {
                if (part.toString().startsWith(".")) {
                    return true;
                }
            }
            return false;
        }

        private void file(String place, Path f, String id, String detail) {
            PickupHeaders h;
            Instant time;
            try {
                time = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant();
                h = PickupHeaders.read(f);
            } catch (IOException e) {
                return; // gone meanwhile, or not readable by this user
            }
            HeaderSection s = h.section();
            String messageId = s.first("Message-ID").map(String::strip).orElse(null);
            String mailrootId = s.first("Received").map(r -> {
                Matcher m = RECEIVED_ID.matcher(r);
                return m.find() ? m.group(1) : null;
            }).orElse(null);
            List<String> senders = new ArrayList<>();
            if (h.sender() != null) {
                senders.add(h.sender());
            }
            senders.addAll(s.all("From"));
            senders.addAll(s.all("Sender"));
            senders.addAll(s.all("Return-Path"));
            List<String> recipients = new ArrayList<>(h.receivers());
            for (String field : List.of("Delivered-To", "To", "Cc")) {
                recipients.addAll(s.all(field));
            }
            String subject = s.first("Subject").map(MessageSearch::decode).orElse(null);
            String shownId = id != null ? id : mailrootId != null ? mailrootId : f.getFileName().toString();
            boolean idMatches = q.id() == null || q.namesId(shownId) || mailrootId != null && q.namesId(mailrootId)
                    || messageId != null && q.namesMessageId(messageId);
            if (idMatches && q.matches(senders, recipients, subject, time)) {
                List<String> to = !h.receivers().isEmpty() ? h.receivers()
                        : s.all("Delivered-To").isEmpty() ? recipientsOf(s) : s.all("Delivered-To");
                String from = h.sender() != null ? h.sender() : s.first("From").orElse(null);
                add(new Hit(place, shownId, f, time, from, to, subject, messageId, detail));
            }
        }

        private String reason(Path f, boolean badFiles) {
            String name = f.getFileName().toString();
            Path reasonFile = badFiles ? f.resolveSibling(name.substring(0, name.length() - 4) + ".bdr")
                    : f.resolveSibling(name + ".reason");
            if (!Files.isRegularFile(reasonFile, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            try {
                return reasonLine(Files.readString(reasonFile, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return null;
            }
        }
    }

    private static List<String> recipientsOf(HeaderSection s) {
        List<String> out = new ArrayList<>(s.all("To"));
        out.addAll(s.all("Cc"));
        return out;
    }

    /**
     * The reason a {@code .bdr} or {@code .reason} file gives: its {@code Reason:} line and its first
     * {@code Failed:} line (the recipient and the cause), else its first line.
     */
    public static String reasonLine(String text) {
        List<String> lines = text.lines().toList();
        String reason = null;
        String failed = null;
        for (String line : lines) {
            if (reason == null && line.startsWith("Reason:")) {
                reason = line.substring(7).strip();
            } else if (failed == null && line.startsWith("Failed:")) {
                failed = line.substring(7).strip();
            }
        }
        if (reason != null) {
            return failed == null ? reason : reason + ": " + failed;
        }
        return lines.stream().filter(l -> !l.isBlank()).findFirst().map(String::strip).orElse("");
    }

    /** A header value with its RFC 2047 encoded words decoded (as a mail reader shows it). */
    public static String decode(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }

    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
