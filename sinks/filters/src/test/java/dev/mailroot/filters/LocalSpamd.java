package dev.mailroot.filters;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SpamAssassin's spamd (Debian package spamd) for a test class, as docs/design/protocol-events.md
 * §2.1 starts it: in the foreground on a free loopback port, no per-user configuration, two
 * children; ready when it answers {@code PING} (about 7 s).
 */
final class LocalSpamd implements BeforeAllCallback, AfterAllCallback {
    private static final String SPAMD = "/usr/sbin/spamd";
    private Process process;
    private Path dir;
    private int port;

    int port() {
        return port;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        assumeTrue(LocalPeers.installed(SPAMD), "install spamd (Debian packages spamd spamc)");
        dir = Files.createTempDirectory("mailroot-spamd");
        port = LocalPeers.freeTcpPort();
        List<String> command = new ArrayList<>(List.of(SPAMD, "--listen=127.0.0.1:" + port, "-x", "--max-children=2",
                "--min-children=1", "--pidfile=" + dir.resolve("spamd.pid"), "-s", "stderr"));
        if (LocalPeers.isRoot()) {
            command.addAll(List.of("-u", "nobody", "-g", "nogroup"));
        }
        Path log = dir.resolve("spamd.out");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!pong()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("spamd did not answer PING on 127.0.0.1:" + port + ": " + LocalPeers.tail(log));
            }
            Thread.sleep(100);
        }
    }

    private boolean pong() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            s.getOutputStream().write("PING SPAMC/1.5\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).contains("PONG");
        } catch (IOException e) {
            return false;
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
