package dev.mailroot.server.folders;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.Home;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.pickup.PickupHeaders;
import dev.mailroot.server.spool.Fsync;
import dev.mailroot.server.tracking.MessageSearch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The folders where messages wait for an operator: {@code badmail}, {@code poison} and
 * {@code quarantine}, each holding {@code <id>.bad} (the message behind {@code x-sender:}/
 * {@code x-receiver:} lines) and {@code <id>.bdr} (the reason). Lists them, shows one, resubmits one
 * through the pickup folder, and deletes one without it vanishing: from poison or quarantine it
 * moves into badmail, from badmail into {@code badmail/deleted/}, each time with the reason added to
 * its {@code .bdr}. Works on files only (with the server running or stopped); every move is a
 * rename, the reason file written and fsync'd first and the folders fsync'd after. What {@code
 * bin/mailroot folder} and the console call. Thread-safe as far as the file system is: two operators
 * acting on one entry at once get one success and one "not found".
 */
public final class Folders {
    private static final Logger log = LoggerFactory.getLogger(Folders.class);
    /** The folders, by the name an operator types. */
    public static final List<String> NAMES = List.of("badmail", "poison", "quarantine");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * One entry of a folder.
     *
     * @param folder  {@code badmail}, {@code poison} or {@code quarantine}
     * @param id      the name of its files without {@code .bad}/{@code .bdr}
     * @param file    the {@code .bad} file
     * @param size    its size in bytes
     * @param time    when it was put there (the file's last change)
     * @param from    the envelope sender ({@code x-sender:}), else {@code From:}
     * @param to      the envelope recipients ({@code x-receiver:}), else {@code To:}/{@code Cc:}
     * @param subject the subject, decoded; null if none
     * @param reason  the {@code Reason:} line of its {@code .bdr}; empty if it has none
     */
    public record Item(String folder, String id, Path file, long size, Instant time, String from, List<String> to,
                       String subject, String reason) {
        public Item {
            to = List.copyOf(to);
        }
    }

    private final Home home;
    private final Clock clock;

    public Folders(Home home, Clock clock) {
        this.home = home;
        this.clock = clock;
    }

    /** The folder's directory. @throws IllegalArgumentException for a name not in {@link #NAMES} */
    public Path dir(String folder) {
        return switch (folder) {
            case "badmail" -> home.badmail();
            case "poison" -> home.poison();
            case "quarantine" -> home.quarantine();
            default -> throw new IllegalArgumentException("no folder '" + ControlCharacters.escape(folder)
                    + "': give badmail, poison or quarantine");
        };
    }

    /** An entry's message file and its attributes, read without following a link. */
    private record Entry(Path bad, BasicFileAttributes a) {
    }

    /** At most {@code limit} entries, newest first. */
    public List<Item> list(String folder, int limit) throws IOException {
        List<Entry> entries = entries(folder);
        List<Item> items = new ArrayList<>();
        for (Entry e : entries.subList(0, Math.min(entries.size(), Math.max(0, limit)))) {
            item(folder, e.bad(), e.a()).ifPresent(items::add);
        }
        return items;
    }

    /** How many entries the folder holds: the ones {@link #list} shows with no limit. */
    public int count(String folder) throws IOException {
        return entries(folder).size();
    }

    /** The folder's entries (regular files named {@code <id>.bad}), newest first. */
    private List<Entry> entries(String folder) throws IOException {
        Path dir = dir(folder);
        List<Entry> entries = new ArrayList<>();
        // the folder itself may be a link (an administrator who moved badmail to another disk); its entries may not
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.bad")) {
                for (Path p : ds) {
                    String id = idOf(p);
                    if (p.getFileName().toString().startsWith(".") || !ID.matcher(id).matches()) {
                        continue;
                    }
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        if (a.isRegularFile()) {
                            entries.add(new Entry(p, a));
                        }
                    } catch (NoSuchFileException e) {
                        // resubmitted or deleted meanwhile
                    }
                }
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> e.a().lastModifiedTime()).reversed()
                .thenComparing(e -> e.bad().getFileName().toString()));
        return entries;
    }

    /** The entry {@code id}, if the folder holds it. @throws IllegalArgumentException for an id that is not one */
    public Optional<Item> find(String folder, String id) throws IOException {
        Path bad = bad(folder, id);
        try {
            return item(folder, bad, Files.readAttributes(bad, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The entry's envelope lines and header section (at most 64 KB), then its reason file, as text
     * (control characters escaped, line ends kept).
     *
     * @throws NoSuchFileException if the folder does not hold it
     */
    public String show(String folder, String id) throws IOException {
        Path bad = existing(folder, id);
        PickupHeaders h = PickupHeaders.read(bad);
        StringBuilder sb = new StringBuilder();
        if (h.sender() != null) {
            sb.append("x-sender: ").append(escape(h.sender())).append('\n');
            h.receivers().forEach(r -> sb.append("x-receiver: ").append(escape(r)).append('\n'));
        }
        for (HeaderSection.Field f : h.section().fields()) {
            sb.append(escape(f.name() + ": " + f.value().replace('\t', ' '))).append('\n'); // folding white space as one line
        }
        sb.append('\n');
        Path bdr = bdr(bad);
        sb.append("-- ").append(bdr.getFileName()).append('\n');
        sb.append(Files.isRegularFile(bdr, LinkOption.NOFOLLOW_LINKS)
                ? escapeLines(Files.readString(bdr, StandardCharsets.UTF_8)) : "(no reason file)\n");
        return sb.toString();
    }

    /**
     * Puts the entry back through the pickup folder: its {@code .bad} is renamed to
     * {@code pickup/<id>.eml} (its {@code x-sender:}/{@code x-receiver:} lines carry the envelope),
     * and its {@code .bdr}, with a line saying so, moves to {@code <folder>/resubmitted/}.
     *
     * @return the file in pickup
     * @throws NoSuchFileException if the folder does not hold it
     */
    public Path resubmit(String folder, String id) throws IOException {
        Path bad = existing(folder, id);
        try {
            return resubmit(folder, id, bad);
        } catch (IOException e) {
            log.warn("MR8042 {} entry {} could not be resubmitted: {}", folder, id, e.toString());
            throw e;
        }
    }

    private Path resubmit(String folder, String id, Path bad) throws IOException {
        Path dir = bad.getParent();
        Path pickup = home.pickup();
        Files.createDirectories(pickup);
        Path target = free(pickup, id, ".eml");
        Path kept = dir.resolve("resubmitted");
        Files.createDirectories(kept);
        Path bdr = bdr(bad);
        String note = "Resubmitted: " + clock.instant() + " as pickup/" + target.getFileName() + "\n";
        Path keptBdr = free(kept, id, ".bdr");
        writeDurably(keptBdr, reasonText(bdr) + note);
        Fsync.directory(kept);
        move(bad, target);
        Fsync.directory(pickup);
        Files.deleteIfExists(bdr);
        Fsync.directory(dir);
        log.info("MR8040 {} entry {} resubmitted as {} (its reason is kept in {})", folder, id, target, keptBdr);
        return target;
    }

    /**
     * Deletes the entry without it vanishing: from poison or quarantine it moves into badmail, from
     * badmail into {@code badmail/deleted/}; its {@code .bdr} moves with it, with a line giving the
     * time, where it came from and {@code reason}.
     *
     * @return the {@code .bad} file where it now is
     * @throws NoSuchFileException if the folder does not hold it
     */
    public Path delete(String folder, String id, String reason) throws IOException {
        Path bad = existing(folder, id);
        try {
            return delete(folder, id, reason, bad);
        } catch (IOException e) {
            log.warn("MR8042 {} entry {} could not be deleted: {}", folder, id, e.toString());
            throw e;
        }
    }

    private Path delete(String folder, String id, String reason, Path bad) throws IOException {
        Path dir = bad.getParent();
        Path into = folder.equals("badmail") ? home.badmail().resolve("deleted") : home.badmail();
        Files.createDirectories(into);
        String why = reason == null || reason.isBlank() ? "deleted by an operator" : reason.strip();
        Path target = free(into, id, ".bad");
        Path targetBdr = target.resolveSibling(idOf(target) + ".bdr");
        String note = "Deleted:     " + clock.instant() + " from " + folder + ": "
                + ControlCharacters.escape(why.replaceAll("\\R+", " ")) + "\n";
        writeDurably(targetBdr, reasonText(bdr(bad)) + note);
        move(bad, target);
        Fsync.directory(into);
        Files.deleteIfExists(bdr(bad));
        Fsync.directory(dir);
        log.info("MR8041 {} entry {} deleted into {}: {}", folder, id, target, why);
        return target;
    }

    private Optional<Item> item(String folder, Path bad, BasicFileAttributes a) throws IOException {
        if (!a.isRegularFile()) {
            return Optional.empty();
        }
        PickupHeaders h;
        try {
            h = PickupHeaders.read(bad);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        HeaderSection s = h.section();
        String from = h.sender() != null ? h.sender() : s.first("From").orElse("");
        List<String> to = new ArrayList<>(h.receivers());
        if (to.isEmpty()) {
            to.addAll(s.all("To"));
            to.addAll(s.all("Cc"));
        }
        String subject = s.first("Subject").map(MessageSearch::decode).orElse(null);
        Path bdr = bdr(bad);
        String reason = Files.isRegularFile(bdr, LinkOption.NOFOLLOW_LINKS)
                ? MessageSearch.reasonLine(Files.readString(bdr, StandardCharsets.UTF_8)) : "";
        return Optional.of(new Item(folder, idOf(bad), bad, a.size(), a.lastModifiedTime().toInstant(), from, to, subject, reason));
    }

    /** The {@code .bad} path of {@code id}, after checking that {@code id} names nothing outside the folder. */
    private Path bad(String folder, String id) {
        Path dir = dir(folder);
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an entry id: '" + ControlCharacters.escape(String.valueOf(id))
                    + "' (letters, digits, '.', '_' and '-', as 'folder list' shows)");
        }
        return dir.resolve(id + ".bad");
    }

    private Path existing(String folder, String id) throws IOException {
        Path bad = bad(folder, id);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(bad, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(bad.toString(), null, "no entry '" + id + "' in " + folder);
        }
        if (!a.isRegularFile()) {
            throw new IOException(bad + " is not a regular file: move it by hand");
        }
        return bad;
    }

    private static String idOf(Path bad) {
        String n = bad.getFileName().toString();
        return n.substring(0, n.length() - 4);
    }

    private static Path bdr(Path bad) {
        return bad.resolveSibling(idOf(bad) + ".bdr");
    }

    private static String reasonText(Path bdr) throws IOException {
        if (!Files.isRegularFile(bdr, LinkOption.NOFOLLOW_LINKS)) {
            return "(the reason file was missing)\n";
        }
        String s = Files.readString(bdr, StandardCharsets.UTF_8);
        return s.endsWith("\n") ? s : s + "\n";
    }

    /** {@code dir/id + ending}, or {@code id-2}, {@code id-3}... if taken (as badmail names its entries). */
    private static Path free(Path dir, String id, String ending) {
        String name = id;
        for (int n = 2; Files.exists(dir.resolve(name + ending), LinkOption.NOFOLLOW_LINKS)
                || ending.equals(".bad") && Files.exists(dir.resolve(name + ".bdr"), LinkOption.NOFOLLOW_LINKS); n++) {
            name = id + "-" + n;
        }
        return dir.resolve(name + ending);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            // pickup on another file system: copy under a name pickup ignores, then rename
            Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            Fsync.file(tmp);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(from);
        }
    }

    private static void writeDurably(Path target, String text) throws IOException {
        Fsync.replace(target, text);
    }

    private static String escape(String s) {
        return ControlCharacters.escape(s);
    }

    private static String escapeLines(String text) {
        StringBuilder sb = new StringBuilder();
        text.lines().forEach(l -> sb.append(ControlCharacters.escape(l)).append('\n'));
        return sb.toString();
    }

    /** For the console: the entries of every folder, newest first, {@code limit} per folder. */
    public Map<String, List<Item>> all(int limit) throws IOException {
        Map<String, List<Item>> out = new java.util.LinkedHashMap<>();
        for (String f : NAMES) {
            out.put(f, list(f, limit));
        }
        return out;
    }
}
