package dev.mailroot.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A private Dovecot 2.3 (Debian's {@code dovecot-core} and {@code dovecot-lmtpd}) for a test class:
 * a foreground child ({@code dovecot -F -c <conf>}) with a configuration of its own in a temporary
 * folder, which touches no system file. It listens for LMTP only, on a free loopback port
 * ({@link #port()}) and on a Unix socket ({@link #socket()}); users come from a passwd-file the
 * test fills ({@link #user(String, Path, long)}, before or after the start), each with a Maildir
 * anywhere and an optional quota (the {@code quota} plugin, {@code count} backend). Helpers read
 * back what Dovecot sees, through {@code doveadm}: {@link #deliveredTexts}, {@link #mailboxes}.
 *
 * <p>Whose mail: Dovecot's LMTP never accesses mail as root (2.3's {@code mail-storage-service}
 * refuses uid 0 unless the service passes {@code ALLOW_ROOT}, which {@code lmtp} does not; no
 * setting changes that). Run as root (CI), the mail belongs to {@code nobody} (65534:65534), and
 * the extension gives a user's Maildir to it (and makes the temporary folders above it
 * traversable) when the user is declared and before each read, so mail Mailroot wrote as root can
 * be read too. Run as anyone else, every Dovecot process and all the mail are that user's.
 *
 * <p>Register it as a static field; it stops its own process after the class, and prints its log
 * when a test fails. Without the binaries the class is skipped with the package to install
 * ({@code .ci/run} installs them, so CI always runs it).
 */
public final class LocalDovecot implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    private static final Path DOVEADM = Path.of("/usr/bin/doveadm");
    private static final Path LMTP = Path.of("/usr/lib/dovecot/lmtp");
    private static final int NOBODY = 65534;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private final Map<String, User> users = new LinkedHashMap<>();
    private Path dir;
    private Process process;
    private int port;
    private int mailUid;
    private int mailGid;
    private String version;
    private Duration startTime;

    private record User(String name, Path maildir, long quotaBytes) {
    }

    /** Declares a user whose Maildir is in the extension's folder, without a quota. */
    public LocalDovecot user(String name) {
        return user(name, null, 0);
    }

    /** Declares a user whose Maildir is in the extension's folder, with a quota in bytes. */
    public LocalDovecot user(String name, long quotaBytes) {
        return user(name, null, quotaBytes);
    }

    /**
     * Declares a user (or changes an undeclared one's future: a name is declared once). Before the
     * start it is kept for it; after, the passwd-file is rewritten and this returns once Dovecot
     * sees the user.
     *
     * @param maildir    the user's Maildir ({@code null}: {@code <folder>/mail/<name>}); any folder,
     *                   such as a Mailroot mailbox's {@code Maildir}; Dovecot's index and control
     *                   files go to the extension's folder, never into it
     * @param quotaBytes the user's storage limit in bytes, 0 for none
     */
    public synchronized LocalDovecot user(String name, Path maildir, long quotaBytes) {
        if (!NAME.matcher(name).matches() || users.containsKey(name)) {
            throw new IllegalArgumentException("not a new user name: " + name);
        }
        if (maildir != null && maildir.toString().matches(".*[\\s:].*")) {
            throw new IllegalArgumentException("a passwd-file cannot hold this path: " + maildir);
        }
        users.put(name, new User(name, maildir == null ? null : maildir.toAbsolutePath(), quotaBytes));
        if (process != null) {
            try {
                prepare(users.get(name));
                writeUsers();
                awaitUser(name);
            } catch (IOException e) {
                throw new IllegalStateException("cannot add Dovecot user " + name + ": " + e.getMessage(), e);
            }
        }
        return this;
    }

    /** The LMTP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The LMTP address on 127.0.0.1. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The LMTP Unix socket. */
    public Path socket() {
        return dir.resolve("lmtp.sock");
    }

    /** The configuration file ({@code doveadm -c} it to look around by hand). */
    public Path config() {
        return dir.resolve("dovecot.conf");
    }

    /** Dovecot's log. */
    public Path log() {
        return dir.resolve("dovecot.log");
    }

    /** The version {@code dovecot --version} printed, such as {@code 2.3.19.1}. */
    public String version() {
        return version;
    }

    /** How long Dovecot took from the start of its process until LMTP and doveadm answered. */
    public Duration startTime() {
        return startTime;
    }

    /** A user's Maildir. */
    public synchronized Path maildir(String user) {
        User u = users.get(user);
        if (u == null) {
            throw new IllegalArgumentException("no such user: " + user);
        }
        return u.maildir() != null ? u.maildir() : dir.resolve("mail").resolve(user);
    }

    /**
     * The messages in a user's INBOX as Dovecot reads them ({@code doveadm fetch text}), oldest
     * first; Maildir stores LF line ends, so the texts have LF line ends.
     */
    public List<String> deliveredTexts(String user) throws IOException {
        giveToMailUser(maildir(user));
        String json = doveadm("-f", "json", "fetch", "-u", user, "text", "mailbox", "INBOX", "all");
        List<String> texts = new ArrayList<>();
        for (JsonNode message : new ObjectMapper().readTree(json.isBlank() ? "[]" : json)) {
            texts.add(message.get("text").asText());
        }
        return texts;
    }

    /** A user's mailboxes as Dovecot lists them ({@code doveadm mailbox list}): {@code INBOX}, {@code Sent}, {@code a.b}. */
    public List<String> mailboxes(String user) throws IOException {
        giveToMailUser(maildir(user));
        return doveadm("mailbox", "list", "-u", user).lines().filter(l -> !l.isBlank()).toList();
    }

    /** Runs {@code doveadm -c <conf> args...}; its output, or an exception with its error output. */
    public String doveadm(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(DOVEADM.toString(), "-c", config().toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "doveadm", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String error = Files.readString(err);
        Files.delete(err);
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + error + out);
        }
        return out;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        assumeTrue(Files.isExecutable(DOVECOT) && Files.isExecutable(DOVEADM) && Files.isExecutable(LMTP),
                "install dovecot-lmtpd (Debian package; it brings dovecot-core)");
        version = run(DOVECOT.toString(), "--version").trim().split(" ")[0];
        dir = Files.createTempDirectory("mailroot-dovecot");
        Files.setPosixFilePermissions(dir, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
        boolean root = "root".equals(System.getProperty("user.name"));
        mailUid = root ? NOBODY : (Integer) Files.getAttribute(dir, "unix:uid");
        mailGid = root ? NOBODY : (Integer) Files.getAttribute(dir, "unix:gid");
        for (String d : List.of("run", "state", "mail", "home", "index")) {
            Files.createDirectory(dir.resolve(d));
        }
        port = freePort();
        Files.writeString(config(), DovecotConfig.text(dir, port, mailUid, mailGid,
                System.getProperty("user.name"), Files.readAttributes(dir, PosixFileAttributes.class).group().getName()));
        synchronized (this) {
            for (User u : users.values()) {
                prepare(u);
            }
            writeUsers();
        }
        long started = System.nanoTime();
        process = new ProcessBuilder(DOVECOT.toString(), "-F", "-c", config().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dovecot.out").toFile()).start();
        awaitListening();
        startTime = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("LocalDovecot: Dovecot " + version + " answered LMTP and doveadm " + startTime.toMillis()
                + " ms after its start (" + dir + ")");
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            if (Files.exists(socket()) && Files.exists(dir.resolve("run/auth-userdb")) && accepts()) {
                return;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("Dovecot did not start (" + (process.isAlive() ? "no LMTP within " + START_LIMIT
                        : "exited " + process.exitValue()) + "):\n" + tail());
            }
            Thread.sleep(10);
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(address(), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (dir != null) {
            System.err.println("--- Dovecot log (" + log() + ") for " + context.getDisplayName() + " ---\n" + tail());
        }
    }

    private String tail() {
        StringBuilder s = new StringBuilder();
        for (Path p : List.of(dir.resolve("dovecot.out"), log())) {
            try {
                List<String> lines = Files.readAllLines(p);
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> s.append(l).append('\n'));
            } catch (IOException e) {
                s.append("(no ").append(p.getFileName()).append(")\n");
            }
        }
        return s.toString();
    }

    /** Creates a user's folders (in the extension's folder, and the Maildir) and gives them to the mail user. */
    private void prepare(User u) throws IOException {
        for (Path p : List.of(dir.resolve("home").resolve(u.name()), dir.resolve("index").resolve(u.name()), maildir(u.name()))) {
            Files.createDirectories(p);
            giveToMailUser(p);
        }
    }

    private void giveToMailUser(Path path) throws IOException {
        if (mailUid != NOBODY || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.setAttribute(p, "unix:uid", mailUid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", mailGid, LinkOption.NOFOLLOW_LINKS);
            }
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
        for (Path p = path.toRealPath().getParent(); p != null && p.startsWith(tmp) && !p.equals(tmp); p = p.getParent()) {
            // group too: root's lmtp keeps group 0 among its groups when it drops to nobody, so for a
            // folder of group root the group bits decide
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE) | perms.add(PosixFilePermission.GROUP_EXECUTE)) {
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    private void writeUsers() throws IOException {
        StringBuilder s = new StringBuilder();
        for (User u : users.values()) {
            s.append(u.name()).append(":{PLAIN}unused:").append(mailUid).append(':').append(mailGid).append("::")
                    .append(dir.resolve("home").resolve(u.name())).append("::userdb_mail=").append(mailLocation(u));
            if (u.quotaBytes() > 0) {
                s.append(" userdb_quota_rule=*:storage=").append(u.quotaBytes()).append('B');
            }
            s.append('\n');
        }
        Path tmp = dir.resolve("users.tmp");
        Files.writeString(tmp, s);
        Files.move(tmp, dir.resolve("users"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String mailLocation(User u) {
        Path index = dir.resolve("index").resolve(u.name());
        return "maildir:" + maildir(u.name()) + ":INDEX=" + index + ":CONTROL=" + index;
    }

    /** Dovecot re-reads a changed passwd-file at its next lookup; wait until it has. */
    private void awaitUser(String name) throws IOException {
        String expected = mailLocation(users.get(name));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                if (doveadm("user", "-f", "mail", name).trim().equals(expected)) {
                    return;
                }
            } catch (IOException e) {
                // not there yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Dovecot does not see user " + name + " after 10 s:\n" + tail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
