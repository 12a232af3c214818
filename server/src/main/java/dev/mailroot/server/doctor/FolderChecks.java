package dev.mailroot.server.doctor;

import dev.mailroot.server.Home;
import dev.mailroot.server.pickup.PickupDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The checks that read Mailroot's folders: present and writable (MR8003), pickup draining
 * (MR8004), what was set aside since a date (MR8006), disk space and inodes (MR8007).
 */
final class FolderChecks {
    static final Duration PICKUP_WARN = Duration.ofMinutes(1);
    static final Duration PICKUP_FAIL = Duration.ofMinutes(10);
    static final long GB = 1L << 30;
    /** Three spool segments ({@code Spool.Options.defaults()}: 32 MB each): below this a message may not fit. */
    static final long SPOOL_RESERVE = 3 * (32L << 20);

    private FolderChecks() {
    }

    /** The folders every home has, by the name the doctor prints, then the POP3 connector's when it is in use. */
    static Map<String, Path> folders(Home h) {
        Map<String, Path> m = new LinkedHashMap<>();
        m.put("pickup", h.pickup());
        m.put("queue", h.queue());
        m.put("badmail", h.badmail());
        m.put("poison", h.poison());
        m.put("quarantine", h.quarantine());
        m.put("mailboxes", h.mailboxes());
        Path pop3 = h.mailroot().resolve("pop3");
        if (Files.exists(pop3) || Files.exists(h.conf().resolve("pop3-connector.yaml"))) {
            m.put("pop3/incoming", pop3.resolve("incoming"));
            m.put("pop3/failed", pop3.resolve("failed"));
        }
        return m;
    }

    static Check folders(Subject s) {
        String name = "folders";
        List<String> bad = new ArrayList<>();
        List<String> made = new ArrayList<>();
        Map<String, Path> all = folders(s.home());
        for (Map.Entry<String, Path> e : all.entrySet()) {
            Path dir = e.getValue();
            if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // made when first needed (poison, pop3): then what matters is that it can be made
                Path parent = dir.getParent();
                while (parent != null && !Files.exists(parent)) {
                    parent = parent.getParent();
                }
                if (parent == null || !Files.isDirectory(parent)) {
                    bad.add(e.getKey() + " (" + dir + ") is missing and cannot be made: " + parent + " is not a folder");
                } else {
                    made.add(e.getKey());
                    String why = writable(parent);
                    if (why != null) {
                        bad.add(e.getKey() + " (" + dir + ") is missing and cannot be made: " + why);
                    }
                }
                continue;
            }
            if (!Files.isDirectory(dir)) {
                bad.add(e.getKey() + " (" + dir + ") is not a folder");
                continue;
            }
            String why = writable(dir);
            if (why != null) {
                bad.add(e.getKey() + " (" + dir + ") " + why);
            }
        }
        if (!bad.isEmpty()) {
            return new Check(name, "MR8003", Check.Status.FAIL, String.join("; ", bad),
                    "make each a folder the server's user may write (chown -R <user> " + s.home().mailroot()
                            + "); a missing one is made at start");
        }
        return Check.ok(name, "MR8003", all.size() + " folders writable: " + String.join(", ", all.keySet())
                + (made.isEmpty() ? "" : " (not there yet, made when first needed: " + String.join(", ", made) + ")"));
    }

    /** Null if a file can be made and removed in {@code dir} (by this user), else why not. */
    private static String writable(Path dir) {
        Path probe = dir.resolve(".doctor-" + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(probe, new byte[]{'x'});
        } catch (IOException ex) {
            return "is not writable: " + ex.getMessage();
        }
        try {
            Files.delete(probe);
            return null;
        } catch (IOException ex) {
            return "cannot remove a file: " + ex.getMessage();
        }
    }

    static Check pickup(Subject s) {
        String name = "pickup";
        Path dir = s.home().pickup();
        if (!Files.isDirectory(dir)) {
            return Check.skip(name, "MR8004", "no pickup folder");
        }
        int count = 0;
        int ignored = 0;
        Path oldest = null;
        Instant oldestAt = null;
        Path claimed = dir.resolve(".claimed");
        try (Stream<Path> files = Stream.concat(list(dir), list(claimed).flatMap(FolderChecks::listAny))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (f.getParent().equals(dir) && !PickupDirectory.isPickupName(f.getFileName().toString())) {
                    ignored++;
                    continue;
                }
                count++;
                Instant at = Files.getLastModifiedTime(f).toInstant();
                if (oldestAt == null || at.isBefore(oldestAt)) {
                    oldest = f;
                    oldestAt = at;
                }
            }
        } catch (IOException e) {
            return new Check(name, "MR8004", Check.Status.WARN, "cannot read " + dir + ": " + e.getMessage(), "see the folders check");
        }
        String others = ignored == 0 ? "" : " (" + ignored + " other file(s) pickup never takes: not named *.eml, or starting with '.')";
        if (count == 0) {
            return Check.ok(name, "MR8004", "pickup is empty" + others);
        }
        Duration age = Duration.between(oldestAt, s.now());
        String found = count + " file(s) waiting in pickup, the oldest " + dir.relativize(oldest) + " for " + Ages.of(age) + others;
        if (age.compareTo(PICKUP_WARN) < 0) {
            return Check.ok(name, "MR8004", found);
        }
        String remedy = !s.running() ? "start the server: nothing drains pickup while it is stopped"
                : !s.config().pickup().enabled() ? "pickup.enabled is false: enable it, or move the files elsewhere"
                : "a file that is not yet complete (a writer still has it open) or not readable by the server; logs/mailroot.log "
                + "(MR1103, MR1105)";
        return new Check(name, "MR8004", age.compareTo(PICKUP_FAIL) < 0 ? Check.Status.WARN : Check.Status.FAIL, found, remedy);
    }

    static Check setAside(Subject s) {
        String name = "set-aside";
        Map<String, Path> dirs = new LinkedHashMap<>();
        dirs.put("badmail", s.home().badmail());
        dirs.put("poison", s.home().poison());
        dirs.put("quarantine", s.home().quarantine());
        dirs.put("pop3/failed", s.home().mailroot().resolve("pop3").resolve("failed"));
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            List<Path> recent = new ArrayList<>();
            try (Stream<Path> files = list(e.getValue())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String n = f.getFileName().toString();
                    if (Files.isRegularFile(f) && !n.startsWith(".") && !n.endsWith(".bdr") && !n.endsWith(".reason")
                            && !Files.getLastModifiedTime(f).toInstant().isBefore(s.since())) {
                        recent.add(f);
                    }
                }
            } catch (IOException ex) {
                found.add(e.getKey() + ": cannot read: " + ex.getMessage());
                continue;
            }
            if (!recent.isEmpty()) {
                // the newest one, as doctor.md says (by time, then name)
                recent.sort(java.util.Comparator.comparing((Path p) -> {
                    try {
                        return Files.getLastModifiedTime(p);
                    } catch (IOException x) {
                        return java.nio.file.attribute.FileTime.fromMillis(0);
                    }
                }).thenComparing(Path::toString));
                Path last = recent.get(recent.size() - 1);
                found.add(e.getKey() + ": " + recent.size() + " (e.g. " + last.getFileName() + ": " + reason(last) + ")");
            }
        }
        if (found.isEmpty()) {
            return Check.ok(name, "MR8006", "nothing new in badmail, poison, quarantine or pop3/failed since " + s.since());
        }
        return new Check(name, "MR8006", Check.Status.WARN, "since " + s.since() + ": " + String.join("; ", found),
                "read each reason (bin/mailroot folder list <folder>, or the console's folder pages); fix the cause, then "
                        + "bin/mailroot folder resubmit <folder> <id>");
    }

    /** The {@code Reason:} line of the reason file beside {@code f}, else its first line. */
    private static String reason(Path f) {
        String n = f.getFileName().toString();
        String base = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
        for (Path r : List.of(f.resolveSibling(base + ".bdr"), f.resolveSibling(n + ".reason"), f.resolveSibling(base + ".reason"))) {
            try {
                List<String> lines = Files.readAllLines(r, StandardCharsets.UTF_8);
                return lines.stream().filter(l -> l.startsWith("Reason:")).findFirst()
                        .map(l -> l.substring("Reason:".length()).strip())
                        .orElse(lines.isEmpty() ? "(empty reason)" : lines.get(0).strip());
            } catch (IOException e) {
                // try the next name
            }
        }
        return "(no reason file)";
    }

    static Check disk(Subject s) {
        String name = "disk";
        Path where = Files.exists(s.home().mailroot()) ? s.home().mailroot() : s.home().root().toAbsolutePath();
        try {
            FileStore store = Files.getFileStore(where);
            long total = store.getTotalSpace();
            long usable = store.getUsableSpace();
            double pct = total == 0 ? 100 : usable * 100.0 / total;
            String inodes = inodes(where);
            String found = String.format(java.util.Locale.ROOT, "%s: %.1f GB usable of %.1f GB (%.1f %%); inodes: %s", where,
                    usable / (double) GB, total / (double) GB, pct, inodes);
            Double inodePct = inodePercent(inodes);
            if (pct < 2 || usable < SPOOL_RESERVE || inodePct != null && inodePct < 1) {
                return new Check(name, "MR8007", Check.Status.FAIL, found, "free space now: the spool refuses mail "
                        + "(452 4.3.1, MR1014) when it cannot write; move old mail or logs off this file system");
            }
            if (pct < 10 || usable < GB || inodePct != null && inodePct < 5) {
                return new Check(name, "MR8007", Check.Status.WARN, found, "free space or inodes soon (old mail in mailboxes, "
                        + "logs/, badmail/)");
            }
            return Check.ok(name, "MR8007", found);
        } catch (IOException e) {
            return new Check(name, "MR8007", Check.Status.WARN, "cannot read the file system of " + where + ": " + e.getMessage(), "");
        }
    }

    /** {@code free/total (p %)} from {@code stat -f}, or {@code n/a} (no {@code stat}, or 0 total: dynamic inodes). */
    private static String inodes(Path where) {
        try {
            Process p = new ProcessBuilder("stat", "-f", "-c", "%c %d", where.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return "n/a";
            }
            String[] f = out.split("\\s+");
            long total = Long.parseLong(f[0]);
            long free = Long.parseLong(f[1]);
            return total == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%d free of %d (%.1f %%)", free, total,
                    free * 100.0 / total);
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return "n/a";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a";
        }
    }

    private static Double inodePercent(String inodes) {
        int open = inodes.indexOf('(');
        return open < 0 ? null : Double.parseDouble(inodes.substring(open + 1, inodes.indexOf(' ', open)));
    }

    static Stream<Path> list(Path dir) throws IOException {
        return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
    }

    private static Stream<Path> listAny(Path p) {
        try {
            return Files.isDirectory(p) ? Files.list(p) : Stream.of(p);
        } catch (IOException e) {
            return Stream.empty();
        }
    }
}
