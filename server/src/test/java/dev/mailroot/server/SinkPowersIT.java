package dev.mailroot.server;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The new sink powers in the real server started by {@code bin/mailroot}, with a plugin jar built
 * here: notes that survive a kill -9 between two sinks, a body rewritten on a 20 MB message with the heap
 * capped at 32 MB (the server itself needs most of it: two copies of the message could not fit), and
 * {@code bin/mailroot trace} for a message that passed four sinks.
 */
class SinkPowersIT {

    @TempDir
    static Path work;
    @TempDir
    Path home;

    private static Path pluginJar;
    private int port;

    @BeforeAll
    static void buildPlugin() throws IOException {
        pluginJar = PluginJarBuilder.plugin("powers").source("powers.Step", """
                package powers;

                import dev.mailroot.sink.*;
                import java.io.*;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.*;

                /** One step of a test chain; the binding's "do" property says which. */
                @org.pf4j.Extension
                public class Step implements OnSubmissionSink {
                    static final Note<String> TOKEN = Note.of("powers.token", String.class);

                    public SinkStatus onSubmission(Submission s, SinkContext ctx) throws Exception {
                        Path dir = Path.of(ctx.properties().get("dir"));
                        Files.writeString(dir.resolve("calls.log"), ctx.bindingName() + " " + s.id() + "\\n",
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        switch (ctx.properties().get("do")) {
                            case "stamp" -> s.headers().add("X-Step", ctx.bindingName());
                            case "note" -> {
                                s.notes().put(TOKEN, "set by " + ctx.bindingName());
                                s.headers().add("X-Noted", "yes");
                            }
                            case "block" -> {
                                Path released = dir.resolve("released");
                                if (!Files.exists(released)) {
                                    Files.writeString(dir.resolve("blocked"), s.id());
                                    Thread.sleep(120_000); // the test kills the server here
                                }
                                s.headers().add("X-Note", s.notes().get(TOKEN).orElse("note lost"));
                            }
                            case "upper" -> {
                                try (InputStream in = s.body(); OutputStream out = s.replaceBody()) {
                                    byte[] buf = new byte[65536];
                                    int n;
                                    while ((n = in.read(buf)) > 0) {
                                        out.write(new String(buf, 0, n, StandardCharsets.ISO_8859_1)
                                                .toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
                                    }
                                }
                                s.headers().add("X-Upper", "done");
                            }
                            default -> throw new IllegalArgumentException("unknown step");
                        }
                        return SinkStatus.RUN_NEXT_SINK;
                    }
                }
                """).build(work, work.resolve("powers.jar"));
    }

    private void setUp(String yaml, String rule, String... steps) throws Exception {
        port = ChildServer.freePort();
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(pluginJar, home.resolve("plugins/powers.jar"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + "}\nadmin: {port: 0}\n" + yaml);
        BindingStore store = new BindingStore(home.resolve("conf/bindings.yaml"));
        for (int i = 0; i < steps.length; i++) {
            String[] nameAndStep = steps[i].split("=");
            int n = i;
            store.update(r -> r.with(new Binding(String.format("{0000000%d-0000-0000-0000-000000000000}", n + 1),
                    nameAndStep[0], Events.ON_SUBMISSION, "powers.Step", true, rule, 10 * (n + 1),
                    Map.of("do", nameAndStep[1], "dir", home.toString()))));
        }
    }

    private Process start(Map<String, String> env) throws Exception {
        Process p = Launcher.start("mailroot", home, env, "--home", home.toString());
        await().atMost(Duration.ofSeconds(90)).until(() -> ChildServer.listening(port) || !p.isAlive());
        assertThat(p.isAlive()).as("server running; stderr: %s", Files.readString(home.resolve("mailroot.err"))).isTrue();
        return p;
    }

    private String send(String rcpt, String message) throws Exception {
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.send("EHLO powers.test");
            String reply = smtp.sendMail("a@example.org", List.of(rcpt), message);
            assertThat(reply).startsWith("250 2.0.0");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    private List<Path> delivered(String box) throws IOException {
        return TestServer.files(home.resolve("mailroot/mailboxes/" + box + "/Maildir/new"));
    }

    private List<String> calls() throws IOException {
        Path log = home.resolve("calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void notesSurviveAKill9BetweenTwoSinksAndTheFirstSinkDoesNotRunAgain() throws Exception {
        setUp("", "RCPT TO=bob@*", "noter=note", "blocker=block");
        Process first = start(Map.of());
        try {
            String id = send("bob@localhost", "Subject: notes across a crash\r\n\r\nbody\r\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(home.resolve("blocked")));
            first.destroyForcibly(); // kill -9 while the second sink holds the message
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Files.writeString(home.resolve("released"), "");

            Process second = start(Map.of());
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> delivered("bob").size() == 1);
                String mail = Files.readString(delivered("bob").get(0));
                assertThat(mail).contains("X-Noted: yes", "X-Note: set by noter");
                assertThat(calls()).containsExactly("noter " + id, "blocker " + id, "blocker " + id);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            first.destroyForcibly();
        }
    }

    @Test
    void aSinkRewritesTheBodyOfA20MbMessageWithTheHeapCappedAt32Mb() throws Exception {
        setUp("", "RCPT TO=bob@*", "upper=upper");
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + port + ", maxMessageSize: 41943040}\n"
                + "admin: {port: 0}\n");
        Process server = start(Map.of("MAILROOT_JAVA_OPTS", "-Xms24m -Xmx32m"));
        try {
            long lines = 20L * 1024 * 1024 / 80;
            try (Socket s = new Socket("127.0.0.1", port)) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                BufferedWriter out = new BufferedWriter(new java.io.OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII),
                        1 << 16);
                assertThat(in.readLine()).startsWith("220");
                for (String cmd : List.of("HELO big.test", "MAIL FROM:<a@example.org>", "RCPT TO:<bob@localhost>", "DATA")) {
                    out.write(cmd + "\r\n");
                    out.flush();
                    String reply = in.readLine();
                    while (reply.charAt(3) == '-') {
                        reply = in.readLine();
                    }
                    assertThat(reply).matches("[23].*");
                }
                out.write("Subject: big\r\n\r\n");
                String line = String.format("%-78s\r\n", "the quick brown fox jumps over the lazy dog, again and again");
                for (long i = 0; i < lines; i++) {
                    out.write(line);
                }
                out.write(".\r\n");
                out.flush();
                assertThat(in.readLine()).startsWith("250 2.0.0");
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> delivered("bob").size() == 1);
            Path mail = delivered("bob").get(0);
            assertThat(Files.size(mail)).isGreaterThan(lines * 79); // each 80-byte CRLF line is stored as 79 bytes (LF)
            try (InputStream in = Files.newInputStream(mail)) {
                String head = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
                assertThat(head).contains("X-Upper: done", "Subject: big\n").contains("THE QUICK BROWN FOX");
            }
            assertThat(server.isAlive()).isTrue();
            assertThat(Files.readString(home.resolve("logs/mailroot.log"))).doesNotContain("OutOfMemoryError", "MR2001");
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void binMailrootTraceShowsAMessageThatPassedFourSinksByIdAndByMessageId() throws Exception {
        setUp("", "RCPT TO=carol@*", "first=stamp", "second=stamp", "third=stamp", "fourth=note");
        Process server = start(Map.of());
        try {
            String id = send("carol@localhost", "Message-ID: <four-sinks@powers.test>\r\nSubject: traced\r\n\r\nbody\r\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered("carol").size() == 1);
            // the tracking line is written when the message leaves; the log writer is asynchronous
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(home.resolve("logs/tracking.jsonl"))
                    && Files.readString(home.resolve("logs/tracking.jsonl")).contains("\"event\":\"delivered\""));

            Launcher.Run byId = Launcher.run("mailroot", home, "trace", "--home", home.toString(), id);
            assertThat(byId.exit()).as(byId.err()).isZero();
            List<String> lines = byId.out().lines().toList();
            assertThat(lines.get(0)).isEqualTo("message " + id);
            assertThat(lines.get(1)).contains("received", "source=smtp", "from=a@example.org", "to=carol@localhost",
                    "messageId=<four-sinks@powers.test>", "client=127.0.0.1");
            assertThat(lines.subList(2, 6)).allMatch(l -> l.contains(" sink ") && l.contains("outcome=run-next-sink"));
            assertThat(lines.get(2)).contains("binding=first", "changed=headers", "ms=");
            assertThat(lines.get(5)).contains("binding=fourth", "changed=notes,headers");
            assertThat(lines.get(6)).contains("delivered", "recipients=carol@localhost");

            Launcher.Run byMessageId = Launcher.run("mailroot", home, "trace", "--home", home.toString(), "four-sinks@powers.test");
            assertThat(byMessageId.exit()).isZero();
            assertThat(byMessageId.out()).isEqualTo(byId.out());

            Launcher.Run json = Launcher.run("mailroot", home, "trace", "--json", "--home", home.toString(), id);
            assertThat(json.out().lines()).hasSize(7).allMatch(l -> l.startsWith("{\"time\":\"") && l.contains("\"id\":\"" + id + "\""));
            // the tracking log's six lines, then where the message is now: carol's Maildir
            assertThat(json.out().lines().toList().get(6)).contains("\"event\":\"found\"", "\"place\":\"mailbox carol\"");

            Launcher.Run unknown = Launcher.run("mailroot", home, "trace", "--home", home.toString(), "NOSUCHMESSAGE");
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.out()).isEmpty();
            assertThat(unknown.err()).contains("no message 'NOSUCHMESSAGE' in the tracking log or the spool").doesNotContain("Exception");
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
