package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.server.ChildServer;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bin/mailroot queue} as an administrator runs it: a separate JVM against a running server
 * whose outbound queue holds deferred mail (the remote server answers {@code 451}), then against
 * the same home once the server has stopped (read-only).
 */
class QueueCommandTest {

    @TempDir
    Path root;

    private record Run(int exit, String out, String err) {
    }

    private Run mailroot(Path home, String... args) throws Exception {
        Path work = Files.createTempDirectory(root, "cli");
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--home";
        all[args.length + 1] = home.toString();
        ChildServer c = ChildServer.start(work, all);
        int exit = c.waitForExit(60);
        return new Run(exit, c.stdout(), c.stderr());
    }

    /** A peer that refuses connections: a port nothing listens on. */
    @Test
    void listShowStatsHoldReleaseDeleteAgainstTheRunningServerAndListReadOnlyWhenItIsStopped() throws Exception {
        Path home = root.resolve("home");
        int closed = ChildServer.freePort();
        String id;
        try (TestServer s = TestServer.start(home, "outbound: {routes: {remote.test: \"127.0.0.1:" + closed
                + "\", other.test: \"127.0.0.1:" + closed + "\"}, retryFirst: 1h, retryMax: 1h}\n", SinkChain.EMPTY)) {
            for (String[] m : new String[][]{{"one", "carol@remote.test"}, {"two", "dave@other.test"}}) {
                Path tmp = home.resolve("mailroot/pickup/." + m[0]);
                Files.writeString(tmp, "x-sender: alice@localhost\r\nx-receiver: " + m[1] + "\r\nSubject: " + m[0]
                        + "\r\nMessage-ID: <" + m[0] + "@test>\r\n\r\nx\r\n");
                Files.move(tmp, home.resolve("mailroot/pickup/" + m[0] + ".eml"), StandardCopyOption.ATOMIC_MOVE);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> s.server().outbound().entries().size() == 2
                    && s.server().outbound().entries().stream().allMatch(e -> e.envelope().outbound().recipients().get(0).attempts() == 1));
            id = s.server().outbound().entries().stream().filter(e -> e.envelope().recipients().contains("carol@remote.test"))
                    .findFirst().orElseThrow().id();

            Run list = mailroot(home, "queue", "list");
            assertThat(list.exit()).isZero();
            assertThat(list.out()).contains(id, "<alice@localhost>", "<one@test>", "carol@remote.test  deferred, 1 attempt",
                    "last: 451 4.4.1", "-- 2 message(s), 2 recipient(s)");
            Run json = mailroot(home, "queue", "list", "--json", "--domain", "remote.test");
            List<String> lines = json.out().lines().toList();
            assertThat(lines).hasSize(1);
            JsonNode n = new ObjectMapper().readTree(lines.get(0));
            assertThat(n.path("id").asText()).isEqualTo(id);
            assertThat(n.path("recipients").get(0).path("state").asText()).isEqualTo("deferred");
            assertThat(n.path("recipients").get(0).path("lastReply").asText()).startsWith("451 4.4.1");
            assertThat(mailroot(home, "queue", "list", "--older-than", "1h").out()).contains("the queue is empty");

            Run stats = mailroot(home, "queue", "stats");
            assertThat(stats.out()).containsPattern("remote\\.test\\s+1\\s+1").containsPattern("other\\.test\\s+1\\s+1")
                    .containsPattern("TOTAL\\s+2");

            assertThat(mailroot(home, "queue", "hold", id).out()).contains("1 recipient(s) held");
            assertThat(mailroot(home, "queue", "show", id).out()).contains("carol@remote.test  held");
            assertThat(mailroot(home, "queue", "release", id).out()).contains("1 recipient(s) released");
            Run delete = mailroot(home, "queue", "delete", id);
            assertThat(delete.exit()).isZero();
            assertThat(delete.out()).contains("moved to badmail as " + id + ".bad", "deleted by administrator");
            assertThat(Files.readString(home.resolve("mailroot/badmail/" + id + ".bdr"))).contains("deleted by administrator");
            Run gone = mailroot(home, "queue", "show", id);
            assertThat(gone.exit()).isEqualTo(1);
            assertThat(gone.err()).contains("no message " + id + " in the queue");
            Run bad = mailroot(home, "queue", "hold", "../etc");
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err().strip()).isEqualTo("mailroot: '../etc' is not a message id");
        }
        // stopped: read-only, from the spool itself
        Run offline = mailroot(home, "queue", "list");
        assertThat(offline.exit()).isZero();
        assertThat(offline.err()).contains("server not running");
        assertThat(offline.out()).contains("dave@other.test  deferred", "-- 1 message(s), 1 recipient(s)").doesNotContain(id);
        Run hold = mailroot(home, "queue", "hold", "X");
        assertThat(hold.exit()).isEqualTo(1);
        assertThat(hold.err()).contains("needs the running server");
        assertThat(hold.err().lines().count()).isEqualTo(1);
    }
}
