import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Probe (not part of the build): what a doctor can learn from Java about a Mailroot folder:
 * space (FileStore), inodes (the JDK has no statvfs f_files/f_ffree: `stat -f`), and signs of
 * another program at work: (1) a file we renamed into place changes afterwards (size/mtime, and
 * inotify through WatchService), (2) another process holds it open (/proc/PID/fd), (3) another
 * process holds a lock on it (/proc/locks, matched by inode).
 *
 * java FoldersProbe.java [folder]
 */
public class FoldersProbe {
    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("mailroot-folders-probe");
        FileStore store = Files.getFileStore(dir);
        long t = System.nanoTime();
        System.out.printf("FileStore %s (%s): total %,d MB, usable %,d MB, unallocated %,d MB (%.2f ms)%n", store.name(), store.type(),
                store.getTotalSpace() >> 20, store.getUsableSpace() >> 20, store.getUnallocatedSpace() >> 20, (System.nanoTime() - t) / 1e6);
        for (String attr : new String[]{"totalInodes", "unix:totalInodes", "files"}) {
            try {
                System.out.println("  store.getAttribute(" + attr + ") = " + store.getAttribute(attr));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                System.out.println("  store.getAttribute(" + attr + "): " + e);
            }
        }
        t = System.nanoTime();
        Process p = new ProcessBuilder("stat", "-f", "-c", "%c %d %T", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        String[] f = out.split(" ");
        System.out.printf("  stat -f -c '%%c %%d %%T': total inodes %s, free %s, type %s (%.1f ms incl. fork)%n", f[0], f[1], f[2],
                (System.nanoTime() - t) / 1e6);

        // (1) a file we wrote, renamed into place, then changed by someone else
        try (WatchService watch = dir.getFileSystem().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            Path tmp = dir.resolve(".msg.tmp");
            Path file = dir.resolve("msg.eml");
            Files.writeString(tmp, "Subject: hi\r\n\r\nbody\r\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            long size = Files.size(file);
            FileTime mtime = Files.getLastModifiedTime(file);
            Object ino = Files.getAttribute(file, "unix:ino");
            System.out.println("wrote " + file.getFileName() + " size " + size + " mtime " + mtime + " ino " + ino);
            drain(watch, "our write + rename");

            Process reader = new ProcessBuilder("sh", "-c", "cat '" + file + "' > /dev/null").start(); // a scanner that only reads
            reader.waitFor();
            drain(watch, "another process reads it (an on-access scanner)");

            Process writer = new ProcessBuilder("sh", "-c", "printf 'X-Scanned: yes\\r\\n' >> '" + file + "'").start();
            writer.waitFor();
            drain(watch, "another process appends to it");
            System.out.println("  at read: size " + Files.size(file) + " (was " + size + "), mtime changed: "
                    + !Files.getLastModifiedTime(file).equals(mtime));

            // (2) + (3): another process holds it open and locked (flock), as a scanner or a backup tool might
            Process holder = new ProcessBuilder("/usr/bin/python3", "-c",
                    "import fcntl,sys,time; f=open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(5)",
                    file.toString()).start();
            holder.getInputStream().read(new byte[7]);
            t = System.nanoTime();
            List<String> openers = openers(file);
            System.out.printf("  /proc/*/fd scan: held open by %s (%.1f ms)%n", openers, (System.nanoTime() - t) / 1e6);
            t = System.nanoTime();
            List<String> locks = locks(((Number) ino).longValue());
            System.out.printf("  /proc/locks: %s (%.1f ms)%n", locks, (System.nanoTime() - t) / 1e6);
            holder.destroy();
            holder.waitFor(2, TimeUnit.SECONDS);

            Files.delete(file);
            drain(watch, "deleted (what a quarantining scanner does)");
        }
        if (args.length == 0) {
            Files.delete(dir);
        }
    }

    static void drain(WatchService watch, String what) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        WatchKey key = watch.poll(300, TimeUnit.MILLISECONDS);
        while (key != null) {
            for (WatchEvent<?> e : key.pollEvents()) {
                seen.add(e.kind().name() + " " + e.context());
            }
            key.reset();
            key = watch.poll(100, TimeUnit.MILLISECONDS);
        }
        System.out.println("  inotify after '" + what + "': " + seen);
    }

    /** The processes (pid and command) with an open descriptor on {@code file}; only those this user may look into. */
    static List<String> openers(Path file) throws IOException {
        List<String> found = new ArrayList<>();
        Path real = file.toRealPath();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (Files.readSymbolicLink(fd).equals(real)) {
                                found.add(proc.getFileName() + " " + Files.readString(proc.resolve("comm")).strip());
                            }
                        } catch (IOException ignored) {
                            // the descriptor closed meanwhile
                        }
                    }
                } catch (IOException ignored) {
                    // another user's process, or it ended
                }
            }
        }
        return found;
    }

    /** /proc/locks lines whose inode is {@code ino} (format: "1: FLOCK ADVISORY WRITE 4242 08:01:1234 0 EOF"). */
    static List<String> locks(long ino) throws IOException {
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[5].endsWith(":" + ino)) {
                found.add(line.trim());
            }
        }
        return found;
    }
}
