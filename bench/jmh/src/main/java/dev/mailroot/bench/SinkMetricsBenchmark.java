package dev.mailroot.bench;

import dev.mailroot.server.metrics.ServerMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What the metrics add to every sink call ({@code record}: the counter and the latency histogram
 * the dispatcher updates after each call, with the meters on and off), and what one scrape of
 * {@code GET /metrics} costs with 20 bindings' series ({@code scrape}, text format, no HTTP).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SinkMetricsBenchmark {

    @Param({"on", "off"})
    String metrics;

    private ServerMetrics meters;
    private final String[] bindings = new String[20];

    @Setup
    public void setup() {
        meters = metrics.equals("on") ? ServerMetrics.create() : ServerMetrics.disabled();
        for (int i = 0; i < bindings.length; i++) {
            bindings[i] = "binding-" + i;
            for (String outcome : new String[]{"ok", "failed", "timeout"}) {
                meters.sinkCall(bindings[i], "OnSubmission", outcome, 1_000_000);
            }
        }
    }

    @Benchmark
    @Threads(2)
    public void record() {
        meters.sinkCall(bindings[(int) (System.nanoTime() & 15)], "OnSubmission", "ok", 1_500_000);
    }

    @Benchmark
    public int scrape() throws IOException {
        if (meters.prometheus() == null) {
            return 0;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        meters.scrape(out, "text/plain; version=0.0.4; charset=utf-8");
        return out.size();
    }
}
