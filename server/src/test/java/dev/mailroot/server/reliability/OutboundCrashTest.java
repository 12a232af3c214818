package dev.mailroot.server.reliability;

import dev.mailroot.server.ChildServer;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 with the outbound queue full: server A (a child JVM, as bin/mailroot runs it) accepts at
 * least 500 messages for remote.test from a trusted network while remote.test's server is down, so
 * they all wait in its outbound queue; A is killed with SIGKILL, started again, and remote.test's
 * server (a second Mailroot, also a child JVM) comes up. Every message A acknowledged with 250 must
 * arrive there (duplicates are allowed: at-least-once, and reported).
 */
class OutboundCrashTest {
    /** A's id in the copy B stored: the last (lowest) Mailroot {@code Received:} field is A's. */
    private static final Pattern RECEIVED_ID = Pattern.compile("\\(Mailroot\\) with ESMTPS? id ([0-9A-Z]{13})");

    @TempDir
    Path root;

    @Test
    void fiveHundredQueuedMessagesSurviveKillMinus9AndAllReachTheRemoteServer() throws Exception {
        Path homeA = root.resolve("a");
        Path homeB = root.resolve("b");
        int portA = ChildServer.freePort();
        int portB = ChildServer.freePort();
        Files.createDirectories(homeA.resolve("conf"));
        Files.writeString(homeA.resolve("conf/mailroot.yaml"), "smtp: {port: " + portA + "}\nadmin: {port: 0}\n"
                + "relay: {trustedNetworks: [127.0.0.0/8]}\nshutdownGraceSeconds: 5\n"
                + "outbound: {routes: {remote.test: \"127.0.0.1:" + portB + "\"}, retryFirst: 1s, retryMax: 2s, tls: none}\n");
        Files.createDirectories(homeB.resolve("conf"));
        Files.writeString(homeB.resolve("conf/mailroot.yaml"), "smtp: {port: " + portB + "}\nadmin: {port: 0}\n"
                + "domains: [remote.test]\nshutdownGraceSeconds: 5\n");

        Set<String> acked = new HashSet<>();
        ChildServer a = start(homeA, portA);
        try (AckingLoad load = new AckingLoad(portA, 8, "crash@remote.test")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> load.acked().size() >= 500);
            a.kill(); // kill -9 with the queue full
            assertThat(a.waitForExit(30)).isNotZero();
            load.close();
            acked.addAll(load.acked());
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(500);

        ChildServer again = start(homeA, portA);
        ChildServer b = start(homeB, portB);
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> deliveredIds(homeB.resolve("mailroot/mailboxes")).keySet().containsAll(acked));
            await().atMost(Duration.ofSeconds(30)).until(() -> spoolSize(homeA) == 0);
            Map<String, Integer> delivered = deliveredIds(homeB.resolve("mailroot/mailboxes"));
            Set<String> lost = new HashSet<>(acked);
            lost.removeAll(delivered.keySet());
            assertThat(lost).as("acknowledged by A but never reached B").isEmpty();
            int duplicates = delivered.values().stream().mapToInt(n -> n - 1).sum();
            System.out.printf("outbound crash test: %d acknowledged and queued, killed, 0 lost, %d duplicate deliveries%n",
                    acked.size(), duplicates);
        } finally {
            again.terminate();
            b.terminate();
            assertThat(again.waitForExit(60)).isZero();
            assertThat(b.waitForExit(60)).isZero();
        }
    }

    private static ChildServer start(Path home, int port) throws Exception {
        ChildServer child = ChildServer.start(home, "--home", home.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> ChildServer.listening(port));
        return child;
    }

    private static int spoolSize(Path home) {
        try {
            int admin = Integer.parseInt(Files.readString(home.resolve("mailroot/admin.port")).strip());
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            return Integer.parseInt(body.replaceAll(".*\"spool\":(\\d+).*\\s*", "$1"));
        } catch (Exception e) {
            return -1;
        }
    }

    /** How often each of A's ids occurs in what B delivered. */
    private static Map<String, Integer> deliveredIds(Path mailboxes) throws IOException {
        Map<String, Integer> ids = new HashMap<>();
        for (Path p : TestServer.delivered(mailboxes)) {
            Matcher m = RECEIVED_ID.matcher(Files.readString(p, StandardCharsets.ISO_8859_1));
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (last != null) {
                ids.merge(last, 1, Integer::sum);
            }
        }
        return ids;
    }
}
