package dev.mailroot.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.server.Home;
import dev.mailroot.server.config.MailrootConfig;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs every check of KB 885685's troubleshooting flow and of Mailroot's own fault model against
 * one home, with its server running or stopped, and returns one verdict per check
 * ({@code docs/doctor.md} describes each). Used by {@code bin/mailroot doctor} and, inside the
 * server, by {@link DoctorSchedule}. A check that cannot run is reported as a warning of its own;
 * it never stops the others. Thread-safe: each run has its own state.
 */
public final class Doctor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Home home;
    private final MailrootConfig config;
    private final ServerView server;
    private final Clock clock;

    /** One check: its name and id, for the verdict when it throws. */
    private record Step(String name, String id, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        Check run(Subject s) throws IOException;
    }

    private static final List<Step> STEPS = List.of(
            new Step("server", "MR8001", ServerChecks::running),
            new Step("tls", "MR8002", ServerChecks::certificate),
            new Step("folders", "MR8003", FolderChecks::folders),
            new Step("pickup", "MR8004", FolderChecks::pickup),
            new Step("queue", "MR8005", LiveChecks::queue),
            new Step("set-aside", "MR8006", FolderChecks::setAside),
            new Step("disk", "MR8007", FolderChecks::disk),
            new Step("bindings", "MR8008", LiveChecks::bindings),
            new Step("pop3", "MR8009", LiveChecks::pop3),
            new Step("quota", "MR8010", MailboxChecks::quotas),
            new Step("forwarding", "MR8011", MailboxChecks::forwarding),
            new Step("sieve", "MR8012", MailboxChecks::sieve),
            new Step("anonymous", "MR8013", ServerChecks::anonymous),
            new Step("open-relay", "MR8014", ServerChecks::openRelay),
            new Step("clock", "MR8015", ClockCheck::run),
            new Step("foreign", "MR8016", ForeignProcessCheck::run));

    /**
     * @param home   the server's home
     * @param config its configuration
     * @param server the running server, seen over its admin endpoint or from inside; {@link ServerView#NONE} for none
     * @param clock  the time the checks measure ages against
     */
    public Doctor(Home home, MailrootConfig config, ServerView server, Clock clock) {
        this.home = home;
        this.config = config;
        this.server = server;
        this.clock = clock;
    }

    /** Runs every check; {@code since}: how far back the set-aside check (badmail, poison, quarantine) looks. */
    public DoctorReport run(Duration since) {
        return run(since, true);
    }

    /**
     * Runs every check; without {@code relayTest} the open-relay self-test checks the configuration
     * only (its SMTP session leaves an {@code MR1002} refusal in the log: the server's periodic runs
     * leave it out).
     */
    public DoctorReport run(Duration since, boolean relayTest) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        JsonNode health = null;
        String unreachable = null;
        try {
            Optional<String> h = server.health();
            if (h.isPresent()) {
                health = JSON.readTree(h.get());
            }
        } catch (IOException e) {
            unreachable = e.getMessage();
        }
        Subject s = new Subject(home, config, server, health, now, now.minus(since), relayTest);
        List<Check> checks = new ArrayList<>();
        for (Step step : STEPS) {
            if (unreachable != null && step.id().equals("MR8001")) {
                checks.add(new Check(step.name(), step.id(), Check.Status.FAIL, "the admin endpoint does not answer: " + unreachable,
                        "look at logs/mailroot.log; restart the server"));
                continue;
            }
            try {
                checks.add(step.body().run(s));
            } catch (IOException | RuntimeException e) {
                checks.add(new Check(step.name(), step.id(), Check.Status.WARN, "could not check: " + e.getMessage(),
                        "run bin/mailroot doctor again; if it persists, report it with logs/mailroot.log"));
            }
        }
        return new DoctorReport(now, checks);
    }
}
