package dev.mailroot.server.metrics;

import dev.mailroot.sink.ServiceMetrics;


import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A plugin service's {@link ServiceMetrics}: {@code mailroot_connector_<name>} meters labelled
 * {@code plugin="<plugin-id>"}, so that plugins never see Micrometer.
 */
final class ConnectorMetrics implements ServiceMetrics {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]{0,30}");

    private final MeterRegistry registry;
    private final String pluginId;
    /** Gauge values by meter id: a gauge is registered once and keeps reading its holder. */
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    ConnectorMetrics(MeterRegistry registry, String pluginId) {
        this.registry = registry;
        this.pluginId = pluginId;
    }

    @Override
    public ServiceMetrics.Counter counter(String name, String description, String... labels) {
        String n = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder("mailroot.connector." + check(n)).description(description).tags(tags(labels))
                .register(registry);
        return amount -> {
            if (amount > 0) {
                c.increment(amount);
            }
        };
    }

    @Override
    public ServiceMetrics.Gauge gauge(String name, String description, String... labels) {
        Tags tags = tags(labels);
        String meter = "mailroot.connector." + check(name);
        AtomicLong bits = gauges.computeIfAbsent(meter + tags, k -> {
            AtomicLong holder = new AtomicLong(Double.doubleToLongBits(0));
            io.micrometer.core.instrument.Gauge.builder(meter, holder, h -> Double.longBitsToDouble(h.get())).description(description).tags(tags)
                    .strongReference(true).register(registry);
            return holder;
        });
        return value -> bits.set(Double.doubleToLongBits(value));
    }

    private static String check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name (lower-case snake case): " + name);
        }
        return name;
    }

    private Tags tags(String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + labels.length + " strings given");
        }
        Tags t = Tags.of("plugin", pluginId);
        for (int i = 0; i < labels.length; i += 2) {
            if (!LABEL.matcher(labels[i]).matches() || labels[i].equals("plugin")) {
                throw new IllegalArgumentException("not a label name (or one the server sets): " + labels[i]);
            }
            t = t.and(labels[i], labels[i + 1] == null ? "" : labels[i + 1]);
        }
        return t;
    }
}
