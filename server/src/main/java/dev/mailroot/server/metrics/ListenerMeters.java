package dev.mailroot.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;

/** The meters of one SMTP listener ({@code listener="<name>"}): what its session handler and message handler count. */
public final class ListenerMeters {
    private final MeterRegistry registry;
    private final String name;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter connections;
    private final Counter messages;
    private final Counter bytes;
    private final Counter authFailures;

    ListenerMeters(MeterRegistry registry, String name) {
        this.registry = registry;
        this.name = name;
        connections = Counter.builder("mailroot.smtp.connections").description("SMTP connections accepted, by listener")
                .tag("listener", name).register(registry);
        Gauge.builder("mailroot.smtp.connections.active", active, AtomicInteger::get)
                .description("SMTP connections open now, by listener").tag("listener", name).strongReference(true).register(registry);
        messages = Counter.builder("mailroot.smtp.messages").description("Messages accepted (spooled, answered 250), by listener")
                .tag("listener", name).register(registry);
        bytes = Counter.builder("mailroot.smtp.received").baseUnit("bytes")
                .description("Bytes of the messages accepted, by listener").tag("listener", name).register(registry);
        authFailures = Counter.builder("mailroot.smtp.auth.failures").description("Failed SMTP AUTH attempts, by listener")
                .tag("listener", name).register(registry);
    }

    /** A connection was admitted. */
    public void opened() {
        connections.increment();
        active.incrementAndGet();
    }

    /** An admitted connection ended. */
    public void closed() {
        active.decrementAndGet();
    }

    /** A 4xx or 5xx reply was sent; {@code code} is the three-digit reply code. */
    public void rejected(int code) {
        Counter.builder("mailroot.smtp.rejects").description("SMTP commands and connections refused, by listener and reply code")
                .tags("listener", name, "code", Integer.toString(code)).register(registry).increment();
    }

    /** A message of {@code size} bytes was accepted. */
    public void accepted(long size) {
        messages.increment();
        bytes.increment(size);
    }

    /** An AUTH attempt failed. */
    public void authFailed() {
        authFailures.increment();
    }
}
