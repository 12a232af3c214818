package dev.mailroot.server.reliability;

import dev.mailroot.server.ChildServer;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 while the pickup folder drains, three rounds ({@code -Dcrash.rounds=N} for more): every file placed in pickup ends up
 * delivered or in badmail; none vanishes. Duplicates (a file delivered twice) are counted.
 */
class PickupCrashTest {

    @TempDir
    Path home;

    private static final Pattern TOKEN = Pattern.compile("token-(\\d+)-(\\d+)");

    @Test
    void killedWhileDrainingThePickupFolderEveryFileIsDeliveredOrInBadmail() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + ChildServer.freePort() + "}\n"
                + "admin: {port: 0}\npickup: {settleMillis: 0, rescanSeconds: 1}\nshutdownGraceSeconds: 5\n");
        Path pickup = Files.createDirectories(home.resolve("mailroot/pickup"));
        Path staging = Files.createDirectories(home.resolve("staging"));
        Random random = new Random();
        int files = 0;
        Path drained = home.resolve("mailroot/mailboxes/drain/Maildir/new");
        int rounds = Integer.getInteger("crash.rounds", 3); // bench/crash-test.sh pickup runs 20
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < 800; i++) {
                String token = "token-" + round + "-" + i;
                String content = i % 40 == 7
                        ? "garbage " + token + "\u0000\u0001 without headers\r\n"       // bad: to badmail as it is
                        : "x-sender: a@example.org\r\nx-receiver: drain@localhost\r\nSubject: " + token + "\r\n\r\nbody\r\n";
                Files.writeString(staging.resolve(token + ".eml"), content, StandardCharsets.ISO_8859_1);
                Files.move(staging.resolve(token + ".eml"), pickup.resolve(token + ".eml"));
                files++;
            }
            long before = count(drained);
            ChildServer child = ChildServer.start(home, "--home", home.toString());
            // kill while draining: once this round's first delivery is seen, at a random moment after
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> count(drained) > before);
            Thread.sleep(random.nextInt(250));
            child.kill();
            assertThat(child.waitForExit(30)).isNotZero();
            long left = pickupLeft(pickup);
            System.out.printf("pickup crash test round %d: killed with %d files delivered this round, %d left in pickup%n",
                    round, count(drained) - before, left);
            assertThat(left).as("the kill came while the folder was draining").isPositive();
        }
        ChildServer last = ChildServer.start(home, "--home", home.toString());
        try {
            int expected = files;
            await().atMost(Duration.ofSeconds(120)).until(() -> pickupLeft(pickup) == 0 && seen().size() == expected);
            Map<String, Integer> seen = seen();
            assertThat(seen).hasSize(files);
            int duplicates = seen.values().stream().mapToInt(n -> n - 1).sum();
            System.out.printf("pickup crash test: %d files, 0 vanished, %d delivered twice%n", files, duplicates);
        } finally {
            last.terminate();
            last.waitForExit(60);
        }
    }

    /** Files still in pickup, claimed or not; -1 while the folder changes under the walk. */
    private static long pickupLeft(Path pickup) throws Exception {
        try (Stream<Path> s = Files.walk(pickup)) {
            return s.filter(Files::isRegularFile).count();
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
            return -1;
        }
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /**
     * Every token found in a delivered message or a badmail .bad file, with how often. Reads only
     * Maildir new/ folders and badmail, where files arrive by rename and then stay put.
     */
    private Map<String, Integer> seen() throws Exception {
        Map<String, Integer> tokens = new HashMap<>();
        List<Path> files = new ArrayList<>(TestServer.delivered(home.resolve("mailroot/mailboxes")));
        Path badmail = home.resolve("mailroot/badmail");
        if (Files.isDirectory(badmail)) {
            try (Stream<Path> s = Files.list(badmail)) {
                s.filter(f -> f.toString().endsWith(".bad")).forEach(files::add);
            }
        }
        for (Path p : files) {
            Matcher m = TOKEN.matcher(Files.readString(p, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                tokens.merge(m.group(), 1, Integer::sum);
            }
        }
        return tokens;
    }
}
