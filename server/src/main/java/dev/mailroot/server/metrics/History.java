package dev.mailroot.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the console's status page charts and its bindings page shows, read from the server's
 * counters: a minute-by-minute history of the last hour (in memory, lost at a restart), and each
 * binding's figures since the start. Thread-safe.
 */
public final class History implements AutoCloseable {
    /** Minutes kept. */
    public static final int MINUTES = 60;

    private final MeterRegistry registry;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private Totals last;
    private ScheduledFuture<?> task;

    /**
     * One minute's traffic: how many messages (or recipients) in that minute.
     *
     * @param minute    the minute's start (UTC, truncated to the minute)
     * @param received  messages accepted by SMTP or spooled from pickup
     * @param delivered local recipients delivered to a mailbox
     * @param sent      remote recipients accepted by the next server
     * @param failed    recipients that failed for good: remote failures (bounced) and local ones
     *                  sent to badmail, plus pickup files sent to badmail
     */
    public record Sample(Instant minute, long received, long delivered, long sent, long failed) {
    }

    /**
     * One binding's figures since the server started (all its events together).
     *
     * @param calls      calls, whatever their outcome
     * @param failures   calls that threw (or failed otherwise), time-outs not included
     * @param timeouts   calls that overran their time limit
     * @param meanMillis mean duration of a call; 0 before the first
     * @param p95Millis  95th percentile of the duration, estimated from the histogram buckets
     *                   (linear within a bucket; the last bucket's bound, 30 s, at most); 0 before the first
     */
    public record BindingFigures(long calls, long failures, long timeouts, double meanMillis, double p95Millis) {
    }

    private record Totals(long received, long delivered, long sent, long failed) {
    }

    public History(ServerMetrics metrics, Clock clock) {
        this.registry = metrics.registry();
        this.clock = clock;
    }

    /** Samples at the start of every minute on {@code scheduler} (the first sample only sets the base). */
    public synchronized History start(ScheduledExecutorService scheduler) {
        sample();
        long now = clock.millis();
        long next = 60_000 - now % 60_000;
        task = scheduler.scheduleAtFixedRate(this::sample, next, 60_000, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Takes a sample now: the counts since the previous sample are recorded for the current
     * minute (the first call only remembers the totals). Called by the schedule; public for tests.
     */
    public synchronized void sample() {
        Totals now = totals();
        if (last != null) {
            // the minute that just ended: a tick a little after hh:mm:00 reports hh:(mm-1)
            Instant minute = clock.instant().minusSeconds(30).truncatedTo(ChronoUnit.MINUTES);
            samples.addLast(new Sample(minute, now.received - last.received, now.delivered - last.delivered,
                    now.sent - last.sent, now.failed - last.failed));
            while (samples.size() > MINUTES) {
                samples.removeFirst();
            }
        }
        last = now;
    }

    /** The samples of the last hour (at most 60), oldest first. */
    public synchronized List<Sample> lastHour() {
        return List.copyOf(samples);
    }

    private Totals totals() {
        return new Totals(sum("mailroot.smtp.messages", null, null) + sum("mailroot.pickup.files", "result", "spooled"),
                sum("mailroot.local.deliveries", "result", "delivered"),
                sum("mailroot.outbound.deliveries", "result", "sent"),
                sum("mailroot.outbound.deliveries", "result", "failed") + sum("mailroot.local.deliveries", "result", "badmail")
                        + sum("mailroot.pickup.files", "result", "badmail"));
    }

    private long sum(String name, String tag, String value) {
        var search = registry.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        double total = 0;
        for (Counter c : search.counters()) {
            total += c.count();
        }
        return Math.round(total);
    }

    /** Each binding's figures, by binding name (sorted). */
    public Map<String, BindingFigures> bindings() {
        Map<String, long[]> counts = new TreeMap<>();
        for (Counter c : registry.find("mailroot.sink.calls").counters()) {
            long[] n = counts.computeIfAbsent(c.getId().getTag("binding"), k -> new long[3]);
            long v = Math.round(c.count());
            n[0] += v;
            String outcome = c.getId().getTag("outcome");
            if ("failed".equals(outcome)) {
                n[1] += v;
            } else if ("timeout".equals(outcome)) {
                n[2] += v;
            }
        }
        Map<String, BindingFigures> out = new TreeMap<>();
        counts.forEach((binding, n) -> {
            List<HistogramSnapshot> snaps = new ArrayList<>();
            for (Timer t : registry.find("mailroot.sink.duration").tag("binding", binding).timers()) {
                snaps.add(t.takeSnapshot());
            }
            out.put(binding, new BindingFigures(n[0], n[1], n[2], meanMillis(snaps), p95Millis(snaps)));
        });
        return out;
    }

    private static double meanMillis(List<HistogramSnapshot> snaps) {
        long count = 0;
        double total = 0;
        for (HistogramSnapshot s : snaps) {
            count += s.count();
            total += s.total(TimeUnit.MILLISECONDS);
        }
        return count == 0 ? 0 : total / count;
    }

    /** The 95th percentile from the merged cumulative buckets, linear within the bucket it falls in. */
    static double p95Millis(List<HistogramSnapshot> snaps) {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        long count = 0;
        for (HistogramSnapshot s : snaps) {
            count += s.count();
            for (CountAtBucket b : s.histogramCounts()) {
                cumulative.merge(b.bucket(TimeUnit.MILLISECONDS), b.count(), Double::sum);
            }
        }
        if (count == 0 || cumulative.isEmpty()) {
            return 0;
        }
        double rank = 0.95 * count;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                double inBucket = e.getValue() - lowerCount;
                return inBucket <= 0 ? e.getKey() : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
        return cumulative.lastKey(); // beyond the last bucket: at least that
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
