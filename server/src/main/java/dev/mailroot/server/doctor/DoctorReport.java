package dev.mailroot.server.doctor;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One run of the doctor: every check's verdict, in the order they ran.
 *
 * @param at     when the run started
 * @param checks the verdicts
 */
public record DoctorReport(Instant at, List<Check> checks) {
    public DoctorReport {
        checks = List.copyOf(checks);
    }

    /** Whether any check failed ({@code bin/mailroot doctor} exits 1). */
    public boolean failed() {
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
    }

    /** How many checks ended with {@code status}. */
    public long count(Check.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** The checks as {@code bin/mailroot doctor} prints them, one line each. */
    public String text() {
        return checks.stream().map(Check::line).collect(Collectors.joining("\n", "", "\n"));
    }

    /** The checks as JSON lines ({@code GET /doctor}, {@code doctor --json}). */
    public String jsonLines() {
        return checks.stream().map(Check::json).collect(Collectors.joining("\n", "", "\n"));
    }

    /** {@code doctor: 14 ok, 1 warn, 0 fail, 2 skip}. */
    public String summary() {
        return "doctor: " + count(Check.Status.OK) + " ok, " + count(Check.Status.WARN) + " warn, "
                + count(Check.Status.FAIL) + " fail, " + count(Check.Status.SKIP) + " skip";
    }
}
