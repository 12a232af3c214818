package dev.mailroot.server.doctor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The running server's own doctor: runs the checks every {@code doctor.intervalMinutes} (the
 * open-relay self-test excepted, see {@link Doctor#run(Duration, boolean)}), logs each check that
 * turns warn or fail with its event id (once per change, and once when it is ok again), and keeps
 * the latest report for {@code GET /doctor} and the console. Runs are serialised.
 */
public final class DoctorSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DoctorSchedule.class);
    /** How far back the periodic run looks into badmail, poison and quarantine. */
    static final Duration SINCE = Duration.ofHours(24);

    private final Doctor doctor;
    private final Duration interval;
    private final Duration firstDelay;
    private final ScheduledExecutorService executor;
    private final Map<String, Check.Status> last = new HashMap<>();
    private volatile DoctorReport latest;

    /** @param interval how often to run; zero: only when asked ({@link #runNow()}) */
    public DoctorSchedule(Doctor doctor, Duration interval) {
        this(doctor, interval, interval.compareTo(Duration.ofMinutes(1)) < 0 ? interval : Duration.ofMinutes(1));
    }

    /** With the first periodic run after {@code firstDelay} (tests). */
    DoctorSchedule(Doctor doctor, Duration interval, Duration firstDelay) {
        this.doctor = doctor;
        this.interval = interval;
        this.firstDelay = firstDelay;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "doctor");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic runs (the first one after a minute: the server settles first). */
    public DoctorSchedule start() {
        if (!interval.isZero()) {
            executor.scheduleWithFixedDelay(this::scheduled, firstDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void scheduled() {
        try {
            record(doctor.run(SINCE, false));
        } catch (RuntimeException e) {
            log.warn("MR8001 the doctor's periodic run failed: {}", e.toString());
        }
    }

    /** The latest report, periodic or asked for; empty before the first run. */
    public Optional<DoctorReport> latest() {
        return Optional.ofNullable(latest);
    }

    /** Runs every check now, the open-relay self-test included, and returns (and keeps) the report. */
    public synchronized DoctorReport runNow() {
        return record(doctor.run(SINCE, true));
    }

    private synchronized DoctorReport record(DoctorReport report) {
        for (Check c : report.checks()) {
            Check.Status before = last.put(c.name(), c.status());
            if (c.status() == before || c.status() == Check.Status.SKIP) {
                continue;
            }
            if (c.status() == Check.Status.FAIL) {
                log.error("{} doctor {}: {}{}", c.eventId(), c.name(), c.detail(), c.remedy().isEmpty() ? "" : " -- " + c.remedy());
            } else if (c.status() == Check.Status.WARN) {
                log.warn("{} doctor {}: {}{}", c.eventId(), c.name(), c.detail(), c.remedy().isEmpty() ? "" : " -- " + c.remedy());
            } else if (before == Check.Status.WARN || before == Check.Status.FAIL) {
                log.info("{} doctor {}: ok again: {}", c.eventId(), c.name(), c.detail());
            }
        }
        latest = report;
        return report;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
