package dev.mailroot.server.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's logins: a session is 32 random bytes named by the {@code mrsession} cookie, kept in
 * memory only (a restart logs everybody out), with its own CSRF token that every form carries. A
 * session ends after {@link #IDLE} without a request or {@link #ABSOLUTE} after the login. Failed
 * logins are counted per client address: after {@link #MAX_FAILURES} within {@link #FAILURE_WINDOW}
 * the address is refused without checking until the window has passed.
 */
final class Sessions {
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    static final int MAX_FAILURES = 5;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);
    private static final int MAX_SESSIONS = 100;

    /** One login. {@code flash} is the message shown once on the next page (what the last action did). */
    static final class Session {
        final String id;
        final String csrf;
        final String who;
        final Instant created;
        volatile Instant lastUsed;
        volatile String flash;
        volatile boolean flashIsError;

        Session(String id, String csrf, String who, Instant created) {
            this.id = id;
            this.csrf = csrf;
            this.who = who;
            this.created = created;
            this.lastUsed = created;
        }

        /** Whether {@code given} is this session's CSRF token (constant time). */
        boolean csrfMatches(String given) {
            return given != null && MessageDigest.isEqual(csrf.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    given.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        void flash(String message, boolean error) {
            flash = message;
            flashIsError = error;
        }

        /** The flash message, once. */
        Optional<String[]> takeFlash() {
            String f = flash;
            flash = null;
            return f == null ? Optional.empty() : Optional.of(new String[]{f, flashIsError ? "error" : "done"});
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Failures> failures = new HashMap<>();
    private final Clock clock;

    private record Failures(int count, Instant first) {
    }

    Sessions(Clock clock) {
        this.clock = clock;
    }

    /** A new session for {@code who} (how they logged in, for the log). */
    Session open(String who) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(java.util.Comparator.comparing(s -> s.lastUsed)).ifPresent(s -> sessions.remove(s.id));
        }
        Session s = new Session(token(), token(), who, now);
        sessions.put(s.id, s);
        return s;
    }

    /** The live session named by {@code id}, touched; empty if there is none or it expired. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        Instant now = clock.instant();
        if (s == null || expired(s, now)) {
            if (s != null) {
                sessions.remove(id);
            }
            return Optional.empty();
        }
        s.lastUsed = now;
        return Optional.of(s);
    }

    void close(Session s) {
        sessions.remove(s.id);
    }

    /** Drops every session (the admin token changed). */
    void closeAll() {
        sessions.clear();
    }

    /** Whether {@code client} is refused for now after too many failed logins. */
    synchronized boolean lockedOut(String client) {
        Failures f = failures.get(client);
        if (f == null) {
            return false;
        }
        if (Duration.between(f.first(), clock.instant()).compareTo(FAILURE_WINDOW) >= 0) {
            failures.remove(client);
            return false;
        }
        return f.count() >= MAX_FAILURES;
    }

    synchronized void failed(String client) {
        Instant now = clock.instant();
        if (failures.size() > 10_000) {
            failures.values().removeIf(f -> Duration.between(f.first(), now).compareTo(FAILURE_WINDOW) >= 0);
        }
        failures.merge(client, new Failures(1, now), (a, b) -> new Failures(a.count() + 1, a.first()));
    }

    synchronized void succeeded(String client) {
        failures.remove(client);
    }

    private boolean expired(Session s, Instant now) {
        return Duration.between(s.lastUsed, now).compareTo(IDLE) > 0 || Duration.between(s.created, now).compareTo(ABSOLUTE) > 0;
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
