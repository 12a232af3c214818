package dev.mailroot.server.tracking;

import dev.mailroot.server.Home;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.pickup.PickupHeaders;
import dev.mailroot.server.spool.SpoolEntry;

import java.io.IOException;
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
import java.util.regex.Matcher;

/** One search of {@link MessageSearch} in progress: the hits so far, place by place. */
final class SearchScan {
    private final Home home;
    final SearchQuery q;
    final int limit;
    final List<MessageSearch.Hit> hits = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    boolean more;
    int read;

    SearchScan(Home home, SearchQuery q, int limit) {
        this.home = home;
        this.q = q;
        this.limit = Math.max(1, limit);
    }

    boolean full() {
        return hits.size() >= limit;
    }

    void add(MessageSearch.Hit h) {
        if (full()) {
            more = true;
        } else {
            hits.add(h);
        }
    }

    /** The message files in {@code dir} (down to {@code depth}), newest first. */
    void folder(String place, Path dir, int depth, boolean badFiles) {
        // a place's folder may be a link (moved to another disk); what is inside is read without following links
        if (more || !Files.isDirectory(dir)) {
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
        if (read++ >= MessageSearch.MAX_FILES_READ) {
            if (read == MessageSearch.MAX_FILES_READ + 1) {
                notes.add("only " + MessageSearch.MAX_FILES_READ + " files were read: give a time range (--since/--until) to search further");
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
            Matcher m = MessageSearch.RECEIVED_ID.matcher(r);
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
                    : s.all("Delivered-To").isEmpty() ? MessageSearch.recipientsOf(s) : s.all("Delivered-To");
            String from = h.sender() != null ? h.sender() : s.first("From").orElse(null);
            add(new MessageSearch.Hit(place, shownId, f, time, from, to, subject, messageId, detail));
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
            return MessageSearch.reasonLine(Files.readString(reasonFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }
}
