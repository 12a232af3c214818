package dev.mailroot.server.smtp;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Random SMTP sessions over a real socket: command sequences in any order, overlong lines, bare
 * LF, NUL bytes, pipelined garbage, abrupt disconnects. Every reply is well-formed, the server goes
 * on serving the next client, and exactly the messages answered {@code 250} are delivered.
 *
 * <p>Seeded: the seed is printed and named in every failure; {@code -Dmailroot.seed=N} replays the
 * same sessions.
 */
class SmtpPropertiesTest {

    private static final Pattern REPLY = Pattern.compile("^[2-5][0-9][0-9]([ -].*)?$");
    private static final long SEED = Long.getLong("mailroot.seed", new Random().nextLong());
    private static final int SESSIONS = 100;
    private static final List<String> STEPS = List.of("EHLO client.example", "HELO client.example",
            "MAIL FROM:<a@example.org>", "MAIL FROM:<>", "MAIL FROM:not an address",
            "MAIL FROM:<a@example.org> SIZE=999999999", "RCPT TO:<{box}@localhost>", "RCPT TO:<x@foreign.example>",
            "RCPT TO:<../x@localhost>", "RCPT TO:<{box}@localhost>", "DATA", "DATA", "DATA-LF", "DATA-NUL",
            "DATA-LONG", "DATA-BIG", "RSET", "NOOP", "VRFY x", "HELP", "QUIT", "GARBAGE", "OVERLONG", "BARE-LF",
            "PIPELINE", "CLOSE", "NUL-COMMAND");
    private static Path home;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("SmtpPropertiesTest seed " + SEED + " (replay with -Dmailroot.seed=" + SEED + ")");
        home = Files.createTempDirectory("mailroot-smtp-props");
        server = TestServer.start(home, "smtp: {maxMessageSize: 20000, maxRecipients: 3, idleTimeoutSeconds: 5}\n",
                SinkChain.EMPTY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyReplyIsWellFormedTheServerKeepsServingAndOnly250sAreDelivered() throws Exception {
        Random random = new Random(SEED);
        for (int i = 1; i <= SESSIONS; i++) {
            List<String> steps = new ArrayList<>();
            for (int n = 1 + random.nextInt(14); n > 0; n--) {
                steps.add(STEPS.get(random.nextInt(STEPS.size())));
            }
            session("t" + i, steps, "seed " + SEED + ", session " + i + ": " + steps);
        }
    }

    /** One client runs {@code steps} as mailbox {@code box}; then a new client is served, and the 250s are delivered. */
    private static void session(String box, List<String> steps, String what) throws Exception {
        int queued = 0;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            s.setSoTimeout(8000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            if (reply(in, what) == null) {
                return;
            }
            for (String step : steps) {
                String r = step(step.replace("{box}", box), in, out, what);
                if (r == null) {
                    break; // the server closed the connection (after a 421/501) or we did
                }
                if (r.startsWith("250 2.0.0 Ok: queued as ")) {
                    queued++;
                }
            }
        } catch (IOException e) {
            // the server may close the connection at any point; what matters is below
        }
        try (SmtpClient next = new SmtpClient(server.port())) {
            assertThat(next.greeting()).as(what).startsWith("220");
            next.send("EHLO next.example");
            assertThat(next.sendMail("a@example.org", List.of("next@localhost"), "Subject: next\r\n\r\nx\r\n"))
                    .as(what).startsWith("250");
        }
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10))
                .until(() -> server.server().spool().size() == 0);
        assertThat(server.newMail(box)).as("deliveries to " + box + ", " + what).hasSize(queued);
    }

    /** Runs one step; returns the last reply, or null if the connection is over. */
    private static String step(String step, BufferedReader in, OutputStream out, String what) throws IOException {
        switch (step) {
            case "GARBAGE" -> write(out, "\u00ff\u0001xyz@@@ ???\r\n");
            case "OVERLONG" -> write(out, "NOOP " + "x".repeat(5000) + "\r\n");
            // a bare LF is refused (501, then close) once the line ends; alone it waits for the idle timeout
            case "BARE-LF" -> write(out, "NOOP\nNOOP\r\n");
            case "NUL-COMMAND" -> write(out, "NO\u0000OP\r\n");
            case "PIPELINE" -> {
                write(out, "NOOP\r\nRSET\r\njunk\r\nNOOP\r\n");
                for (int i = 0; i < 3; i++) {
                    if (reply(in, what) == null) {
                        return null;
                    }
                }
            }
            case "CLOSE" -> {
                return null;
            }
            case "DATA", "DATA-LF", "DATA-NUL", "DATA-LONG", "DATA-BIG" -> {
                write(out, "DATA\r\n");
                String r = reply(in, what);
                if (r == null || !r.startsWith("354")) {
                    return r;
                }
                String body = switch (step) {
                    case "DATA-LF" -> "Subject: lf\nline one\nline two\n";
                    case "DATA-NUL" -> "Subject: nul\r\n\r\nbefore\u0000after\r\n";
                    case "DATA-LONG" -> "Subject: long\r\n\r\n" + "y".repeat(12000) + "\r\n";
                    case "DATA-BIG" -> "Subject: big\r\n\r\n" + ("z".repeat(998) + "\r\n").repeat(30);
                    default -> "Subject: ok\r\n\r\nbody\r\n";
                };
                write(out, body + (body.endsWith("\n") && !body.endsWith("\r\n") ? "\r\n" : "") + ".\r\n");
            }
            default -> write(out, step + "\r\n");
        }
        return reply(in, what);
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One reply, checked to be well-formed; null if the connection closed. */
    private static String reply(BufferedReader in, String what) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return null;
            }
            assertThat(line).as("a reply line, " + what).matches(REPLY);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
