package dev.mailroot.server.metrics;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryTest {
    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-12-05T03:00:00.200Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void eachMinuteHoldsWhatHappenedInItAndAnHourIsKept() {
        ServerMetrics metrics = ServerMetrics.create();
        MovingClock clock = new MovingClock();
        History history = new History(metrics, clock);
        history.sample(); // the base
        metrics.listener("mx").accepted(100);
        metrics.listener("submission").accepted(100);
        metrics.pickupFile("spooled");
        metrics.localDelivery("delivered", 2);
        metrics.outboundDelivery("example.org", "sent", 1);
        metrics.outboundDelivery("example.org", "failed", 1);
        metrics.outboundDelivery("example.org", "deferred", 4);
        metrics.pickupFile("badmail");
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        history.sample();
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        history.sample();

        List<History.Sample> hour = history.lastHour();
        assertThat(hour).containsExactly(
                new History.Sample(Instant.parse("2026-12-05T03:00:00Z"), 3, 2, 1, 2),
                new History.Sample(Instant.parse("2026-12-05T03:01:00Z"), 0, 0, 0, 0));

        for (int i = 0; i < 70; i++) {
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            history.sample();
        }
        assertThat(history.lastHour()).hasSize(60);
        assertThat(history.lastHour().get(59).minute()).isEqualTo(Instant.parse("2026-12-05T04:11:00Z"));
    }

    @Test
    void bindingFiguresComeFromTheSinkCounters() {
        ServerMetrics metrics = ServerMetrics.create();
        for (int i = 0; i < 19; i++) {
            metrics.sinkCall("spam", "OnSubmission", "ok", Duration.ofMillis(20).toNanos());
        }
        metrics.sinkCall("spam", "OnRcptTo", "timeout", Duration.ofSeconds(2).toNanos());
        metrics.sinkCall("stamp", "OnSubmission", "failed", Duration.ofMillis(1).toNanos());
        History history = new History(metrics, Clock.systemUTC());

        History.BindingFigures spam = history.bindings().get("spam");
        assertThat(spam.calls()).isEqualTo(20);
        assertThat(spam.timeouts()).isEqualTo(1);
        assertThat(spam.failures()).isZero();
        assertThat(spam.meanMillis()).isEqualTo((19 * 20 + 2000) / 20.0);
        // 95 % of 20 calls is the 19th: in the 10-25 ms bucket
        assertThat(spam.p95Millis()).isBetween(10.0, 25.0);
        assertThat(history.bindings().get("stamp").failures()).isEqualTo(1);
    }

    @Test
    void outboundDomainsAreCappedSoTheSeriesStayFew() {
        ServerMetrics metrics = ServerMetrics.create();
        for (int i = 0; i < ServerMetrics.MAX_DOMAINS + 10; i++) {
            metrics.outboundDelivery("d" + i + ".example", "sent", 1);
        }
        assertThat(metrics.registry().find("mailroot.outbound.deliveries").counters()).hasSize(ServerMetrics.MAX_DOMAINS + 1);
        assertThat(metrics.registry().get("mailroot.outbound.deliveries").tag("domain", "other").counter().count()).isEqualTo(10);
        metrics.outboundDelivery("D0.example", "sent", 1);
        assertThat(metrics.registry().get("mailroot.outbound.deliveries").tag("domain", "d0.example").counter().count()).isEqualTo(2);
    }
}
