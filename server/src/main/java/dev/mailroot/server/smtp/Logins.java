package dev.mailroot.server.smtp;

import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.directory.Mailbox;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Checks SMTP AUTH credentials against the mailbox directory's bcrypt hashes, and keeps the failed
 * attempts per client address: a failure is answered only {@code auth.failureDelayMillis} after
 * the attempt began (the same time whether the login exists or not), and {@code auth.lockoutFailures}
 * failures within {@code auth.lockoutSeconds} lock the address out for {@code auth.lockoutSeconds}.
 * Also decides which sender addresses an authenticated mailbox may use. Thread-safe.
 */
final class Logins {
    /** The most client addresses whose failures are remembered; past it the oldest are forgotten. */
    private static final int MAX_TRACKED = 10_000;

    /** What came of one attempt. */
    enum Outcome { OK, BAD, LOCKED }

    /**
     * @param outcome the verdict
     * @param mailbox the mailbox logged in to, for {@link Outcome#OK}
     * @param reason  why it failed, for the log (never for the client)
     */
    record Result(Outcome outcome, Mailbox mailbox, String reason) {
    }

    private final Supplier<Optional<Directory>> directory;
    private final MailrootConfig.Auth config;
    private final Clock clock;
    private final Map<InetAddress, Failures> failures = new ConcurrentHashMap<>();

    private static final class Failures {
        final Deque<Instant> times = new ArrayDeque<>();
        Instant lockedUntil;
    }

    Logins(Supplier<Optional<Directory>> directory, MailrootConfig.Auth config, Clock clock) {
        this.directory = directory;
        this.config = config;
        this.clock = clock;
    }

    MailrootConfig.Auth config() {
        return config;
    }

    /** Whether {@code client} is locked out now. */
    boolean lockedOut(InetAddress client) {
        Failures f = failures.get(client);
        if (f == null) {
            return false;
        }
        synchronized (f) {
            return f.lockedUntil != null && clock.instant().isBefore(f.lockedUntil);
        }
    }

    /**
     * Checks {@code login} (a mailbox name or one of its addresses) and {@code password}. A failure
     * returns only once {@code auth.failureDelayMillis} have passed since the call began.
     */
    Result check(String login, String password, InetAddress client) throws InterruptedException {
        long started = System.nanoTime();
        if (lockedOut(client)) {
            return new Result(Outcome.LOCKED, null, "locked out");
        }
        Result r = verify(login, password);
        if (r.outcome() == Outcome.OK) {
            failures.remove(client);
            return r;
        }
        recordFailure(client);
        long left = Duration.ofMillis(config.failureDelayMillis()).toNanos() - (System.nanoTime() - started);
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
        return r;
    }

    private Result verify(String login, String password) {
        Optional<Directory> dir = directory.get();
        if (dir.isEmpty()) {
            return new Result(Outcome.BAD, null, "no mailbox directory (conf/mailboxes.yaml), so no passwords");
        }
        Optional<Mailbox> m = mailboxOf(dir.get(), login);
        if (m.isEmpty()) {
            return new Result(Outcome.BAD, null, "no such mailbox");
        }
        Mailbox box = m.get();
        if (!box.enabled()) {
            return new Result(Outcome.BAD, null, "mailbox " + box.name() + " is disabled");
        }
        if (box.passwordHash() == null || box.passwordHash().isBlank()) {
            return new Result(Outcome.BAD, null, "mailbox " + box.name() + " has no password ('mailbox passwd')");
        }
        boolean ok;
        try {
            ok = BCrypt.checkpw(password, box.passwordHash());
        } catch (IllegalArgumentException e) {
            return new Result(Outcome.BAD, null, "mailbox " + box.name() + " has a password hash that is not bcrypt");
        }
        return ok ? new Result(Outcome.OK, box, null) : new Result(Outcome.BAD, null, "wrong password");
    }

    /** The mailbox a login names: its name, or one of its addresses (not a group's, not a catch-all's). */
    static Optional<Mailbox> mailboxOf(Directory dir, String login) {
        String l = login.toLowerCase(Locale.ROOT);
        int at = l.lastIndexOf('@');
        if (at < 0) {
            return dir.mailbox(l);
        }
        String domain = l.substring(at + 1);
        if (!dir.isLocalDomain(domain)) {
            return Optional.empty();
        }
        return dir.mailboxes().values().stream()
                .filter(m -> dir.addressesOf(m).stream().anyMatch(a -> a.equalsIgnoreCase(l)))
                .findFirst();
    }

    private void recordFailure(InetAddress client) {
        if (failures.size() >= MAX_TRACKED) {
            forgetOld();
        }
        Failures f = failures.computeIfAbsent(client, k -> new Failures());
        synchronized (f) {
            Instant now = clock.instant();
            Instant windowStart = now.minusSeconds(config.lockoutSeconds());
            f.times.addLast(now);
            while (!f.times.isEmpty() && f.times.peekFirst().isBefore(windowStart)) {
                f.times.removeFirst();
            }
            if (f.times.size() >= config.lockoutFailures()) {
                f.lockedUntil = now.plusSeconds(config.lockoutSeconds());
                f.times.clear();
            }
        }
    }

    private void forgetOld() {
        Instant windowStart = clock.instant().minusSeconds(config.lockoutSeconds());
        failures.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                Failures f = e.getValue();
                boolean locked = f.lockedUntil != null && f.lockedUntil.isAfter(clock.instant());
                return !locked && (f.times.isEmpty() || f.times.peekLast().isBefore(windowStart));
            }
        });
    }

    /**
     * Whether mailbox {@code name} may use {@code sender} as its envelope sender: one of its
     * addresses (name and aliases at its domains), or one its {@code sendAs} list names.
     */
    boolean owns(String name, String sender) {
        Optional<Directory> dir = directory.get();
        if (dir.isEmpty()) {
            return false;
        }
        Optional<Mailbox> m = dir.get().mailbox(name);
        if (m.isEmpty()) {
            return false;
        }
        String s = sender.toLowerCase(Locale.ROOT);
        if (dir.get().addressesOf(m.get()).stream().anyMatch(a -> a.equalsIgnoreCase(s))) {
            return true;
        }
        return m.get().sendAs().stream().anyMatch(a -> a.startsWith("@") ? s.endsWith(a) : a.equalsIgnoreCase(s));
    }
}
