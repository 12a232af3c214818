package dev.mailroot.filters;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * rspamd (Debian package rspamd) for a test class, as docs/design/protocol-events.md §2 starts it:
 * a foreground child with override files in a temporary folder, its normal and controller workers
 * on free loopback ports, its DNS pointed at a {@link LocalDnsbl} (so its own lookups get an answer
 * at once), and the Hyperscan cache in a {@code DBDIR} shared by every run
 * ({@code ${java.io.tmpdir}/mailroot-rspamd-db}: the first start builds it in ~9 s, later ones take
 * ~0.7 s; {@code .ci/run} warms it). Register it as a static field after its {@code LocalDnsbl}.
 */
final class LocalRspamd implements BeforeAllCallback, AfterAllCallback {
    private static final String RSPAMD = "/usr/bin/rspamd";
    private final LocalDnsbl dns;
    private Process process;
    private Path dir;
    private int port;

    LocalRspamd(LocalDnsbl dns) {
        this.dns = dns;
    }

    /** The normal worker's port ({@code POST /checkv2}). */
    int port() {
        return port;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        assumeTrue(LocalPeers.installed(RSPAMD), "install rspamd (Debian package rspamd)");
        if (dns.port() == 0) {
            throw new IllegalStateException("start the LocalDnsbl first: register it with a lower @Order");
        }
        dir = Files.createTempDirectory("mailroot-rspamd");
        Path db = Path.of(System.getProperty("java.io.tmpdir"), "mailroot-rspamd-db");
        Files.createDirectories(db);
        Path local = Files.createDirectories(dir.resolve("local/override.d"));
        for (String d : List.of("run", "log")) {
            Files.createDirectories(dir.resolve(d));
        }
        port = LocalPeers.freeTcpPort();
        int controller = LocalPeers.freeTcpPort();
        Files.writeString(local.resolve("worker-normal.inc"), "bind_socket = \"127.0.0.1:" + port + "\"; count = 1;\n");
        Files.writeString(local.resolve("worker-controller.inc"), "bind_socket = \"127.0.0.1:" + controller + "\"; count = 1;\n");
        Files.writeString(local.resolve("worker-proxy.inc"), "enabled = false;\n");
        Files.writeString(local.resolve("worker-fuzzy.inc"), "enabled = false;\n");
        Files.writeString(local.resolve("logging.inc"), "type = \"console\"; level = \"warning\";\n");
        Files.writeString(local.resolve("options.inc"), "dns { nameserver = [\"" + dns.resolver()
                + "\"]; timeout = 1s; retransmits = 1; }\n");
        List<String> command = new ArrayList<>(List.of(RSPAMD, "-f"));
        if (LocalPeers.isRoot()) {
            LocalPeers.run("chown", "-R", "_rspamd:_rspamd", dir.toString(), db.toString());
            command.addAll(List.of("-u", "_rspamd", "-g", "_rspamd"));
        }
        command.addAll(List.of("-c", "/etc/rspamd/rspamd.conf", "--var", "LOCAL_CONFDIR=" + dir.resolve("local"),
                "--var", "DBDIR=" + db, "--var", "RUNDIR=" + dir.resolve("run"), "--var", "LOGDIR=" + dir.resolve("log")));
        Path log = dir.resolve("rspamd.out");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitForPing(log);
    }

    private void waitForPing(Path log) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (http.send(ping, HttpResponse.BodyHandlers.ofString()).body().contains("pong")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("rspamd did not answer /ping on 127.0.0.1:" + port + ": " + LocalPeers.tail(log));
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        LocalPeers.stop(process);
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
