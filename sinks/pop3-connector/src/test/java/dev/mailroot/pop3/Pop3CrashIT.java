package dev.mailroot.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.ChildServer;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 while the connector downloads and hands mail over, three times, each time after the
 * round's session has handed messages off and before it has handed off all: every message on the
 * remote server ends up delivered, none is lost; the ones delivered twice are counted.
 */
class Pop3CrashIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    private static final Path JAR = Path.of(System.getProperty("plugin.jar", "target/pop3.jar"));
    private static final Pattern TOKEN = Pattern.compile("pop3-token-(\\d+)");

    @TempDir
    Path home;

    @Test
    void killedBetweenDownloadAndHandOffNothingIsLost() throws Exception {
        int rounds = Integer.getInteger("crash.rounds", 3); // bench/crash-test.sh pop3 runs 20
        int total = 100 * rounds;
        for (int i = 0; i < total; i++) {
            remote.getUserManager().getUser("carol").deliver(GreenMailUtil.newMimeMessage(
                    "From: a@example.org\r\nSubject: pop3-token-" + i + "\r\n\r\n" + "line\r\n".repeat(200)));
        }
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(JAR, home.resolve("plugins/pop3-connector.jar"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + ChildServer.freePort() + "}\n"
                + "admin: {port: 0}\npickup: {settleMillis: 0, rescanSeconds: 1}\nshutdownGraceSeconds: 5\n");
        Files.writeString(home.resolve("conf/pop3-connector.yaml"), "accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n"
                + "    port: " + remote.getPop3().getPort() + "\n    user: carol\n    password: secret\n    mailbox: carol\n"
                + "    intervalMinutes: 1\n");
        Random random = new Random();
        for (int round = 1; round <= rounds; round++) {
            long before = handedOff();
            long target = before + 2 + random.nextInt(40);
            ChildServer child = ChildServer.start(home, "--home", home.toString());
            // kill mid-retrieval: once this round's session has handed off a random number of messages of its
            // own (more than the one download a previous kill may have left in incoming), then at a random moment
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> handedOff() >= target);
            Thread.sleep(random.nextInt(200));
            child.kill();
            assertThat(child.waitForExit(30)).isNotZero();
            long handed = handedOff();
            System.out.printf("pop3 crash test round %d: killed with %d of %d messages handed off (%d this round), "
                    + "%d downloaded but not handed off (pop3/incoming), %d on the server, %d delivered so far%n",
                    round, handed, total, handed - before, waiting(), remote.getReceivedMessages().length, delivered().size());
            assertThat(handed).as("the kill came while the retrieval was under way").isLessThan(total);
        }
        ChildServer last = ChildServer.start(home, "--home", home.toString());
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> delivered().size() == total);
            Map<String, Integer> seen = delivered();
            assertThat(seen).hasSize(total);
            await().atMost(Duration.ofSeconds(30)).until(() -> remote.getReceivedMessages().length == 0);
            System.out.printf("pop3 crash test: %d messages, 0 lost, %d delivered twice%n", total,
                    seen.values().stream().mapToInt(n -> n - 1).sum());
        } finally {
            last.terminate();
            last.waitForExit(60);
        }
    }

    /** Messages whose hand-off is recorded (their UIDLs in pop3/state/carol-isp.uids). */
    private long handedOff() throws Exception {
        Path state = home.resolve("mailroot/pop3/state/carol-isp.uids");
        if (!Files.exists(state)) {
            return 0;
        }
        return Files.readAllLines(state, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).count();
    }

    /** Downloads in pop3/incoming/ not yet handed off. */
    private long waiting() throws Exception {
        Path incoming = home.resolve("mailroot/pop3/incoming");
        if (!Files.isDirectory(incoming)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(incoming)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".eml") && !p.getFileName().toString().startsWith(".")).count();
        }
    }

    private Map<String, Integer> delivered() throws Exception {
        Map<String, Integer> tokens = new HashMap<>();
        for (Path p : TestServer.delivered(home.resolve("mailroot/mailboxes"))) {
            Matcher m = TOKEN.matcher(Files.readString(p, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                tokens.merge(m.group(), 1, Integer::sum);
            }
        }
        return tokens;
    }
}
