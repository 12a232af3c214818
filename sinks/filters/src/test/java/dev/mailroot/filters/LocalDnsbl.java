package dev.mailroot.filters;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A DNS block list on loopback for a test class: dnsmasq (Debian package dnsmasq-base) on a free
 * UDP port, answering the names under {@code test} from the records the class gives and nothing
 * else: {@code NXDOMAIN} for any other name under {@code test}, {@code REFUSED} outside it
 * (docs/design/protocol-events.md §3). Register it as a static field with {@code @RegisterExtension}.
 */
final class LocalDnsbl implements BeforeAllCallback, AfterAllCallback {
    private static final String DNSMASQ = "/usr/sbin/dnsmasq";
    private final List<String> records = new ArrayList<>();
    private Process process;
    private Path log;
    private int port;

    /** {@code name} answers {@code A ip}. */
    LocalDnsbl host(String name, String ip) {
        records.add("--host-record=" + name + "," + ip);
        return this;
    }

    /** {@code name} answers {@code TXT text}. */
    LocalDnsbl txt(String name, String text) {
        records.add("--txt-record=" + name + "," + text); // no shell: quotes would be part of the text
        return this;
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as conf/filters.yaml names a resolver. */
    String resolver() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        assumeTrue(LocalPeers.installed(DNSMASQ), "install dnsmasq (Debian package dnsmasq-base)");
        start();
    }

    /** Starts dnsmasq (again, on the same port after {@link #stop()}) and waits until it answers. */
    void start() throws IOException, InterruptedException {
        if (port == 0) {
            port = LocalPeers.freeUdpPort();
        }
        log = Files.createTempFile("mailroot-dnsmasq", ".log");
        List<String> command = new ArrayList<>(List.of(DNSMASQ, "--keep-in-foreground", "--port=" + port,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=",
                "--local=/test/", "--log-facility=-"));
        command.addAll(records);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Dns probe = new Dns(Optional.of(new InetSocketAddress("127.0.0.1", port)), Duration.ofMillis(200));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                probe.a("ready.probe.test");
                return;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("dnsmasq did not start on 127.0.0.1:" + port + ": " + LocalPeers.tail(log), e);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Stops dnsmasq: queries to its port get no answer until {@link #start()}. */
    void stop() throws InterruptedException {
        LocalPeers.stop(process);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }
}
