package dev.mailroot.filters;

import java.time.Clock;

/**
 * One configuration of the filters and what it needs at run time: the block lists with their cache,
 * the scanning engine with its HTTP client. Made anew when {@code conf/filters.yaml} changes, so an
 * answer cached under the old settings is never used under the new ones. Thread-safe.
 */
final class Filters implements AutoCloseable {
    private final FiltersConfig config;
    private final Dnsbl dnsbl;
    private final ScanEngine engine;

    Filters(FiltersConfig config, Clock clock) {
        this.config = config;
        this.dnsbl = new Dnsbl(config.connection().dnsbl(), clock);
        FiltersConfig.Content c = config.content();
        this.engine = switch (c.engine()) {
            case RSPAMD -> new Rspamd(c.host(), c.port(), c.timeout());
            case SPAMD -> new Spamd(c.host(), c.port(), c.timeout());
            case NONE -> null;
        };
    }

    /** The embedded defaults: every list empty. */
    static Filters defaults() {
        return new Filters(FiltersConfig.defaults(), Clock.systemUTC());
    }

    FiltersConfig config() {
        return config;
    }

    Dnsbl dnsbl() {
        return dnsbl;
    }

    /** The scanning engine; null for {@code engine: none}. */
    ScanEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        dnsbl.close();
    }
}
