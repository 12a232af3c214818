package dev.mailroot.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's meters: one registry, made where the server is wired and handed to the parts that
 * count, which call the typed methods here rather than naming meters themselves. Every meter has a
 * description; latencies are histograms with the buckets {@link #LATENCY_BUCKETS}; every label has a
 * bounded set of values (docs/metrics.md lists them all). Thread-safe.
 *
 * <p>{@link #disabled()} counts nothing (Micrometer's no-op meters): for parts built without a
 * server, and for the benchmark's "metrics off".
 */
public final class ServerMetrics implements AutoCloseable {
    /** The histogram buckets of every latency, in seconds. */
    public static final List<Duration> LATENCY_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30));
    /** Outbound destination domains with a label of their own; later ones count as {@code other}. */
    public static final int MAX_DOMAINS = 50;

    private final MeterRegistry registry;
    /** Null when disabled. */
    private final PrometheusMeterRegistry prometheus;
    private final Set<String> domains = ConcurrentHashMap.newKeySet();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private final Map<String, MultiGauge> multiGauges = new ConcurrentHashMap<>();
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<String, ConnectorMetrics> connectors = new ConcurrentHashMap<>();
    private final Map<CallKey, Counter> sinkCalls = new ConcurrentHashMap<>();
    private final Map<CallKey, Timer> sinkDurations = new ConcurrentHashMap<>();

    /** The GC binder listens to the JVM's GC notifications until closed. */
    private final JvmGcMetrics gc;

    private ServerMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, JvmGcMetrics gc) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.gc = gc;
    }

    /** A Prometheus registry with the JVM's meters (memory, GC, threads, classes, uptime). */
    public static ServerMetrics create() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(r);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        // not ProcessorMetrics: its system_cpu_count and process_cpu_time_ns_total fail promtool's lint
        return new ServerMetrics(r, r, gc);
    }

    /** Meters that count nothing and cost next to nothing. */
    public static ServerMetrics disabled() {
        return new ServerMetrics(new CompositeMeterRegistry(), null, null);
    }

    /** The registry (for the exposition and for {@link History}). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus registry, or null when {@link #disabled()}. */
    public PrometheusMeterRegistry prometheus() {
        return prometheus;
    }

    /** Runs {@code refresh} before each scrape: gauges whose rows change (bindings) update themselves there. */
    public void beforeScrape(Runnable refresh) {
        beforeScrape.add(refresh);
    }

    /** Runs the {@link #beforeScrape} refreshes. */
    public void refresh() {
        for (Runnable r : beforeScrape) {
            r.run();
        }
    }

    /**
     * Writes every meter in {@code contentType} (one a writer of {@code ExpositionFormats} gives),
     * after the {@link #beforeScrape} refreshes. Use this rather than the registry's own scrape,
     * which would miss the gauges refreshed here.
     */
    public void scrape(java.io.OutputStream out, String contentType) throws java.io.IOException {
        if (prometheus == null) {
            return;
        }
        refresh();
        prometheus.scrape(out, contentType);
    }

    /** Every meter in the Prometheus text format 0.0.4 ({@link #scrape(java.io.OutputStream, String)}). */
    public String scrape() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            scrape(out, "text/plain; version=0.0.4; charset=utf-8");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- sinks

    /**
     * One sink call has ended.
     *
     * @param binding the binding's name
     * @param event   {@code OnSubmission}, {@code OnRcptTo}, ...
     * @param outcome {@code ok}, {@code failed}, {@code timeout}, {@code deferred}, {@code abort},
     *                {@code badmail}, {@code rejected}, ... (a small fixed set: docs/metrics.md)
     */
    public void sinkCall(String binding, String event, String outcome, long nanos) {
        if (prometheus == null) {
            return;
        }
        // looked up in maps of our own: Micrometer's builder and register cost about a microsecond a call
        sinkCalls.computeIfAbsent(new CallKey(binding, event, outcome), k -> Counter.builder("mailroot.sink.calls")
                .description("Sink calls by binding, event and outcome")
                .tags("binding", binding, "event", event, "outcome", outcome).register(registry)).increment();
        sinkDurations.computeIfAbsent(new CallKey(binding, event, ""), k -> latency("mailroot.sink.duration",
                "Time a sink call took, by binding and event", Tags.of("binding", binding, "event", event)))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private record CallKey(String binding, String event, String outcome) {
    }

    /** {@code mailroot_binding_disabled{binding}} 1 or 0 for every binding {@code bindings} lists (name to disabled), read at each scrape. */
    public void bindingsDisabled(Supplier<Map<String, Boolean>> bindings) {
        MultiGauge g = multi("mailroot.binding.disabled", "Whether the binding is disabled (1) or enabled (0)", null);
        beforeScrape(() -> g.register(bindings.get().entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("binding", e.getKey()), e.getValue() ? 1 : 0)).toList(), true));
    }

    // ---- SMTP listeners

    /** The meters of SMTP listener {@code name}. */
    public ListenerMeters listener(String name) {
        return listeners.computeIfAbsent(name, n -> new ListenerMeters(registry, n));
    }

    // ---- delivery, pickup, outbound

    /** A pickup file was handled: {@code spooled} or {@code badmail}. */
    public void pickupFile(String result) {
        Counter.builder("mailroot.pickup.files").description("Pickup files handled, by result (spooled, badmail)")
                .tag("result", result).register(registry).increment();
    }

    /** Local recipients handled: {@code delivered}, {@code retry} or {@code badmail}. */
    public void localDelivery(String result, int recipients) {
        Counter.builder("mailroot.local.deliveries").description("Local deliveries (recipients) by result (delivered, retry, badmail)")
                .tag("result", result).register(registry).increment(recipients);
    }

    /**
     * Remote recipients handled by an outbound attempt.
     *
     * @param domain the recipients' domain: the first {@link #MAX_DOMAINS} distinct domains have a
     *               label of their own, later ones are {@code other}
     * @param result {@code sent}, {@code deferred} or {@code failed}
     */
    public void outboundDelivery(String domain, String result, int recipients) {
        Counter.builder("mailroot.outbound.deliveries")
                .description("Outbound recipients by destination domain (the first 50 seen, then other) and result (sent, deferred, failed)")
                .tags("domain", domainLabel(domain), "result", result).register(registry).increment(recipients);
    }

    /** One outbound SMTP attempt took {@code nanos}. */
    public void outboundAttempt(long nanos) {
        latency("mailroot.outbound.attempt.duration", "Time an outbound SMTP attempt took (connect to QUIT)", Tags.empty())
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** A delivery status notification was sent: {@code failure} or {@code delay}. */
    public void dsnSent(String kind) {
        Counter.builder("mailroot.dsn.sent").description("Delivery status notifications sent to senders, by kind (failure, delay)")
                .tag("kind", kind).register(registry).increment();
    }

    String domainLabel(String domain) {
        String d = domain == null || domain.isEmpty() ? "none" : domain.toLowerCase(java.util.Locale.ROOT);
        if (domains.contains(d)) {
            return d;
        }
        synchronized (domains) {
            if (domains.size() < MAX_DOMAINS) {
                domains.add(d);
                return d;
            }
        }
        return "other";
    }

    // ---- gauges read when scraped

    /** A gauge without labels whose value {@code value} reads at each scrape (keep it cheap). */
    public <T> void gauge(String name, String description, String baseUnit, T from, ToDoubleFunction<T> value) {
        Gauge.builder(name, from, value).description(description).baseUnit(baseUnit).strongReference(true).register(registry);
    }

    /** A gauge with one label: {@code rows} gives label value to gauge value, read at each scrape. */
    public void gauges(String name, String description, String baseUnit, String label, Supplier<Map<String, ? extends Number>> rows) {
        MultiGauge g = multi(name, description, baseUnit);
        beforeScrape(() -> g.register(rows.get().entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of(label, e.getKey()), e.getValue().doubleValue())).toList(), true));
    }

    private MultiGauge multi(String name, String description, String baseUnit) {
        return multiGauges.computeIfAbsent(name, n -> MultiGauge.builder(n).description(description).baseUnit(baseUnit).register(registry));
    }

    // ---- connectors (plugins)

    /** What plugin {@code pluginId} counts through its service context: {@code mailroot_connector_*{plugin=...}}. */
    public dev.mailroot.sink.ServiceMetrics connector(String pluginId) {
        // one per plugin id: a reloaded plugin sets the gauges its earlier version registered
        return connectors.computeIfAbsent(pluginId, id -> new ConnectorMetrics(registry, id));
    }

    Timer latency(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(LATENCY_BUCKETS.toArray(Duration[]::new))
                .register(registry);
    }

    /** Stops the JVM binders' listeners (several servers may run in one JVM, in tests and embedded). */
    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
