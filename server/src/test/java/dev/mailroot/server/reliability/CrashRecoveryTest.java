package dev.mailroot.server.reliability;

import dev.mailroot.server.ChildServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 under load, three rounds (bench/crash-test.sh runs twenty): every message the server
 * acknowledged with 250 is delivered after the restart. Duplicates are allowed (at-least-once) and
 * reported.
 */
class CrashRecoveryTest {

    @TempDir
    Path home;

    private int port;

    private ChildServer start() throws Exception {
        ChildServer child = ChildServer.start(home, "--home", home.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> ChildServer.listening(port));
        return child;
    }

    private int spoolSize() {
        try {
            int admin = Integer.parseInt(Files.readString(home.resolve("mailroot/admin.port")).strip());
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            return Integer.parseInt(body.replaceAll(".*\"spool\":(\\d+).*\\s*", "$1"));
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void killedUnderLoadThenRestartedEveryAcknowledgedMessageIsDelivered() throws Exception {
        port = ChildServer.freePort();
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + "}\nadmin: {port: 0}\n"
                + "shutdownGraceSeconds: 5\n");
        Random random = new Random();
        Set<String> acked = new HashSet<>();
        int totalDuplicates = 0;
        for (int round = 1; round <= 3; round++) {
            ChildServer child = start();
            try (AckingLoad load = new AckingLoad(port, 8, "crash@localhost")) {
                Thread.sleep(400 + random.nextInt(1600));
                child.kill(); // kill -9 at a random moment
                assertThat(child.waitForExit(30)).isNotZero();
                load.close();
                acked.addAll(load.acked());
            }
            ChildServer again = start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> spoolSize() == 0);
                Map<String, Integer> delivered = AckingLoad.deliveredIds(home.resolve("mailroot/mailboxes"));
                Set<String> lost = new HashSet<>(acked);
                lost.removeAll(delivered.keySet());
                assertThat(lost).as("round " + round + ": acknowledged but not delivered").isEmpty();
                totalDuplicates = delivered.values().stream().mapToInt(n -> n - 1).sum();
            } finally {
                again.terminate();
                assertThat(again.waitForExit(60)).isZero();
            }
        }
        assertThat(acked).isNotEmpty();
        System.out.printf("crash test: %d acknowledged, 0 lost, %d duplicate deliveries%n", acked.size(), totalDuplicates);
    }
}
