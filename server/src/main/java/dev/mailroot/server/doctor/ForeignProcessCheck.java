package dev.mailroot.server.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Signs of another program in Mailroot's folders (MR8016, the KB's antivirus warning): a process
 * other than the server (and the doctor) holding a file there open ({@code /proc/<pid>/fd}) or
 * locked ({@code /proc/locks}, matched by inode). Linux only; it sees the processes this user may
 * inspect (every one as root).
 */
final class ForeignProcessCheck {
    private static final int MAX_FILES = 50_000;

    private ForeignProcessCheck() {
    }

    static Check run(Subject s) throws IOException {
        String name = "foreign";
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc.resolve("self").resolve("fd"))) {
            return Check.skip(name, "MR8016", "no /proc (not Linux)");
        }
        long self = ProcessHandle.current().pid();
        long server = s.running() ? s.health().path("pid").asLong(-1) : -1;
        Path root = s.home().mailroot().toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            return Check.ok(name, "MR8016", "no " + root + " yet");
        }
        Path real = root.toRealPath();
        Set<String> found = new LinkedHashSet<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : pids) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self || pid == server) {
                    continue;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            Path target = Files.readSymbolicLink(fd);
                            if (target.startsWith(real) || target.startsWith(root)) {
                                found.add(describe(p, pid) + " holds " + real.relativize(target.startsWith(real) ? target
                                        : real.resolve(root.relativize(target))) + " open");
                            }
                        } catch (IOException | UnsupportedOperationException e) {
                            // gone meanwhile, or not a link
                        }
                    }
                } catch (IOException e) {
                    // a process that ended, or one this user may not inspect
                }
            }
        }
        found.addAll(locks(real, self, server));
        changedWhileRead(s).ifPresent(found::add);
        if (found.isEmpty()) {
            return Check.ok(name, "MR8016", "no other process holds a file in " + real + " open or locked");
        }
        return new Check(name, "MR8016", Check.Status.WARN, String.join("; ", found),
                "exclude " + real + " from antivirus and backup scanners that open or lock files in place (KB 885685); "
                        + "they may change or remove mail between write and read");
    }

    /**
     * The server's {@code MR8017} lines (a pickup file changed while it was read) in
     * {@code logs/mailroot.log} since {@code s.since()}: how many, and the last one.
     */
    static java.util.Optional<String> changedWhileRead(Subject s) {
        Path log = s.home().logs().resolve("mailroot.log");
        java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
        int count = 0;
        String last = null;
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            for (String l : (Iterable<String>) lines::iterator) {
                int at = l.indexOf("MR8017 ");
                if (at < 0 || l.length() < 23) {
                    continue;
                }
                try {
                    java.time.Instant when = java.time.LocalDateTime.parse(l.substring(0, 23), stamp)
                            .atZone(java.time.ZoneId.systemDefault()).toInstant();
                    if (!when.isBefore(s.since())) {
                        count++;
                        last = l.substring(at + "MR8017 ".length());
                    }
                } catch (java.time.format.DateTimeParseException e) {
                    // a continuation line
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.empty();
        }
        return count == 0 ? java.util.Optional.empty() : java.util.Optional.of("the server logged MR8017 " + count
                + " time(s) since " + s.since() + ", the last: " + (last.length() > 200 ? last.substring(0, 200) + "..." : last));
    }

    private static String describe(Path procDir, long pid) {
        try {
            return "process " + pid + " (" + Files.readString(procDir.resolve("comm"), StandardCharsets.UTF_8).strip() + ")";
        } catch (IOException e) {
            return "process " + pid;
        }
    }

    /** Locks in {@code /proc/locks} held by others on files under {@code root}, matched by inode. */
    private static List<String> locks(Path root, long self, long server) {
        List<String> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return out;
        }
        Map<Long, Long> lockers = new HashMap<>(); // inode -> pid
        for (String l : lines) {
            String[] f = l.trim().split("\\s+");
            // "1: FLOCK  ADVISORY  WRITE 4944 fe:00:4301039 0 EOF" (a "->" after the number marks a waiter)
            int i = f.length > 1 && f[1].equals("->") ? 2 : 1;
            if (f.length < i + 5) {
                continue;
            }
            try {
                long pid = Long.parseLong(f[i + 3]);
                String[] dev = f[i + 4].split(":");
                if (pid != self && pid != server && pid > 0) {
                    lockers.put(Long.parseLong(dev[dev.length - 1]), pid);
                }
            } catch (NumberFormatException e) {
                // not a line of the expected shape
            }
        }
        if (lockers.isEmpty()) {
            return out;
        }
        int[] budget = {MAX_FILES};
        try (var files = Files.walk(root, 4)) {
            files.limit(budget[0]).forEach(f -> {
                try {
                    Object ino = Files.getAttribute(f, "unix:ino");
                    Long pid = lockers.get(((Number) ino).longValue());
                    if (pid != null) {
                        out.add(describe(Path.of("/proc", String.valueOf(pid)), pid) + " locks " + root.relativize(f));
                    }
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // partial answer
        }
        return out;
    }
}
