package dev.mailroot.sink;

/**
 * Where a {@link MailrootService} counts what it does, for the server's {@code GET /metrics}
 * (Prometheus). The server names each meter {@code mailroot_connector_<name>} (counters end in
 * {@code _total}) and adds the label {@code plugin="<plugin-id>"}; docs/metrics.md lists the
 * bundled plugins' meters. A service gets it from {@link ServiceContext#metrics()}.
 *
 * <p>Names are lower-case snake case ({@code downloads}, {@code last_success_timestamp_seconds}),
 * with the unit last, as Prometheus names are. Labels are given as name/value pairs
 * ({@code "account", "office"}); keep their values few (an account name, never a message id or an
 * address), since every distinct value is a series the server keeps until it stops.
 *
 * <p>Thread-safe: meters may be fetched and updated from any thread; fetching the same name and
 * labels again returns the same meter.
 */
public interface ServiceMetrics {

    /** Meters that record nothing: what a server without metrics (or a test) gives. */
    ServiceMetrics NONE = new ServiceMetrics() {
        @Override
        public Counter counter(String name, String description, String... labels) {
            return amount -> { };
        }

        @Override
        public Gauge gauge(String name, String description, String... labels) {
            return value -> { };
        }
    };

    /**
     * A counter: a number that only goes up (downloads, failures).
     *
     * @param name        {@code [a-z][a-z0-9_]*}, without {@code _total}
     * @param description one sentence, shown as the metric's help
     * @param labels      label name/value pairs
     * @throws IllegalArgumentException for a bad name, an odd number of label strings, or a name
     *                                  already used with other label names
     */
    Counter counter(String name, String description, String... labels);

    /**
     * A gauge: a value that is set (a queue length, the time of the last successful run as epoch
     * seconds).
     *
     * @throws IllegalArgumentException as {@link #counter}
     */
    Gauge gauge(String name, String description, String... labels);

    /** A counter of {@link ServiceMetrics}. */
    @FunctionalInterface
    interface Counter {
        /** Adds {@code amount} (not negative). */
        void increment(double amount);

        /** Adds one. */
        default void increment() {
            increment(1);
        }
    }

    /** A gauge of {@link ServiceMetrics}. */
    @FunctionalInterface
    interface Gauge {
        /** Sets the value. */
        void set(double value);
    }
}
