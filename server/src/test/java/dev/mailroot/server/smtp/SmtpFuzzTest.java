package dev.mailroot.server.smtp;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Any bytes a client sends over a real socket get well-formed replies, none of them the
 * {@code 421 4.3.0} SubEthaSMTP sends when a session thread dies of an exception, the server goes on
 * serving the next client, and exactly the messages answered {@code 250 ... queued as <id>} are
 * delivered.
 *
 * <p>A Jazzer fuzz test: each input is everything one client sends (then it half-closes and reads
 * the replies to the end). {@code mvn verify} replays the sessions in {@code SmtpFuzzTestInputs/};
 * {@code bench/fuzz.sh smtp} fuzzes it for longer. {@link SmtpPropertiesTest} covers what needs a
 * dialogue (waiting for a reply before sending) and abrupt disconnects.
 */
class SmtpFuzzTest {

    private static final Pattern REPLY = Pattern.compile("[2-5][0-9][0-9]([ -].*)?");
    private static final String THREAD_DIED = "421 4.3.0";
    private static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\S+)");
    private static final Pattern RECEIVED_ID = Pattern.compile("with ESMTPS?A? id (\\S+?)[;\\s]");
    /** After this reply the server speaks TLS: what follows is a TLS alert for the fuzzer's bytes, not SMTP. */
    private static final String TLS_STARTS = "220 Ready to start TLS";
    private static Path home;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("mailroot-smtp-fuzz");
        server = TestServer.start(home, "smtp: {maxMessageSize: 20000, maxRecipients: 3, idleTimeoutSeconds: 5}\n",
                SinkChain.EMPTY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @DictionaryEntries({"EHLO ", "HELO ", "MAIL FROM:<", "RCPT TO:<", "DATA", "RSET", "NOOP", "QUIT", "VRFY ", "EXPN ",
            "HELP", "STARTTLS", "AUTH PLAIN", "BDAT ", "@localhost>", "bob", "a@example.org", " SIZE=", " BODY=8BITMIME",
            " SMTPUTF8", "<>", ":"})
    @FuzzTest
    @SuppressWarnings("try") // the resource is there to be closed
    void anyBytesGetWellFormedRepliesAndOnly250sAreDelivered(byte[] session) throws Exception {
        // Jazzer's SSRF detector reports every connection; ours go to this server only
        try (SilentCloseable allowed = BugDetectors.allowNetworkConnections(
                (host, port) -> port == server.port() && (host.equals("127.0.0.1") || host.equals("localhost")))) {
            checkSession(session);
        }
    }

    private static void checkSession(byte[] session) throws Exception {
        Set<String> queued = new HashSet<>();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            try {
                s.getOutputStream().write(session);
                s.shutdownOutput();
            } catch (SocketException e) {
                // the server may close first (421 after a bad line): read what it said
            }
            String line;
            while ((line = readLine(in)) != null) {
                assertThat(line).as("a reply line").matches(REPLY).doesNotStartWith(THREAD_DIED);
                if (line.equals(TLS_STARTS)) {
                    break;
                }
                Matcher m = QUEUED.matcher(line);
                if (m.matches()) {
                    queued.add(m.group(1));
                }
            }
        }
        // the next client is served as far as RCPT (a whole message would cost each input two fsyncs)
        try (SmtpClient next = new SmtpClient(server.port())) {
            assertThat(next.greeting()).startsWith("220");
            assertThat(next.send("EHLO next.example")).startsWith("250");
            assertThat(next.send("MAIL FROM:<a@example.org>")).startsWith("250");
            assertThat(next.send("RCPT TO:<next@localhost>")).startsWith("250");
            next.send("QUIT");
        }
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10))
                .until(() -> server.server().spool().size() == 0);
        assertThat(takeDelivered()).as("ids of the delivered messages").isEqualTo(queued);
        assertThat(server.badmail()).isEmpty();
    }

    /** A reply line; null at the end (a reset after the server's last reply is an end too). */
    private static String readLine(BufferedReader in) throws IOException {
        try {
            return in.readLine();
        } catch (SocketException e) {
            return null;
        }
    }

    /** The ids in the Received: fields of the delivered messages, which are then removed. */
    private static Set<String> takeDelivered() throws IOException {
        Set<String> ids = new HashSet<>();
        for (Path p : TestServer.delivered(server.home().mailboxes())) {
            String text = Files.readString(p, StandardCharsets.ISO_8859_1);
            Matcher m = RECEIVED_ID.matcher(text);
            assertThat(m.find()).as("a Received: field with the id in " + p).isTrue();
            ids.add(m.group(1));
            Files.delete(p);
        }
        return ids;
    }
}
