package dev.mailroot.server.metrics;

import dev.mailroot.sink.ServiceContext;
import dev.mailroot.sink.ServiceMetrics;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectorMetricsTest {

    @Test
    void aPluginsMetersAreNamedAndLabelledByTheServer() {
        ServerMetrics metrics = ServerMetrics.create();
        ServiceMetrics m = metrics.connector("pop3-connector");
        m.counter("downloads_total", "Messages downloaded", "account", "carol").increment(2);
        m.counter("downloads", "Messages downloaded", "account", "carol").increment();
        m.gauge("last_success_timestamp_seconds", "When", "account", "carol").set(1.7e9);
        // a reloaded plugin gets the same meters
        metrics.connector("pop3-connector").gauge("last_success_timestamp_seconds", "When", "account", "carol").set(1.8e9);

        String text = metrics.prometheus().scrape();
        assertThat(text).contains("mailroot_connector_downloads_total{account=\"carol\",plugin=\"pop3-connector\"} 3.0")
                .contains("# HELP mailroot_connector_downloads_total Messages downloaded")
                .contains("mailroot_connector_last_success_timestamp_seconds{account=\"carol\",plugin=\"pop3-connector\"} 1.8E9");
    }

    @Test
    void badNamesAndLabelsAreRefusedWithAClearMessage() {
        ServiceMetrics m = ServerMetrics.create().connector("x");
        assertThatThrownBy(() -> m.counter("Downloads", "d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a metric name");
        assertThatThrownBy(() -> m.counter("downloads", "d", "account")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs");
        assertThatThrownBy(() -> m.gauge("queued", "d", "plugin", "other")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plugin");
    }

    @Test
    void aServerWithoutTheHookGivesMetersThatRecordNothing() {
        // a ServiceContext as an older server implements it: only the methods it had
        ServiceContext old = (ServiceContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ServiceContext.class},
                (proxy, method, args) -> {
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        assertThat(old.metrics()).isSameAs(ServiceMetrics.NONE);
        old.metrics().counter("downloads", "d", "account", "a").increment();
        old.metrics().gauge("g", "d").set(1);
    }
}
