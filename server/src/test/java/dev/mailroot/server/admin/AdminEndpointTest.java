package dev.mailroot.server.admin;

import dev.mailroot.server.ChildServer;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.Main;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin endpoint over real HTTP on loopback. Requests are written by hand on a socket, so a
 * test can send what a browser or an attacker would: any Host, any Origin, no token.
 */
class AdminEndpointTest {

    /**
     * A plugin whose service command {@code run} appends a line to the file named by its parameter
     * {@code file}; its do-nothing sink makes it show in {@code /health}'s plugins.
     */
    private static final String COUNTER_SINK = """
            package counter;
            import dev.mailroot.sink.*;
            @org.pf4j.Extension
            public class CounterSink implements OnSubmissionSink {
                public SinkStatus onSubmission(Submission s, SinkContext c) { return SinkStatus.RUN_NEXT_SINK; }
            }
            """;
    private static final String COUNTER_SERVICE = """
            package counter;
            import dev.mailroot.sink.*;
            @org.pf4j.Extension
            public class CounterService implements MailrootService {
                public void start(ServiceContext c) { }
                public void stop() { }
                public CommandResult command(String name, java.util.Map<String, String> p, ServiceContext c) throws Exception {
                    if (!name.equals("run")) {
                        return CommandResult.unknown(name);
                    }
                    java.nio.file.Files.writeString(java.nio.file.Paths.get(p.get("file")), "ran\\n",
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    return CommandResult.ok("counter: ran");
                }
            }
            """;

    @TempDir
    static Path work;
    static Path counterJar;

    @TempDir
    Path home;

    @BeforeAll
    static void buildPlugin() throws Exception {
        counterJar = PluginJarBuilder.plugin("counter").source("counter.CounterService", COUNTER_SERVICE)
                .source("counter.CounterSink", COUNTER_SINK)
                .build(work, work.resolve("counter.jar"));
    }

    /** A server with the counter plugin loaded (copied into plugins/ the first time). */
    private TestServer server(String yaml) throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        if (!Files.exists(home.resolve("plugins/counter.jar"))) {
            Files.copy(counterJar, home.resolve("plugins/counter.jar"));
        }
        TestServer server = TestServer.startWithPlugins(home, yaml);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server().plugins().loadedPlugins().contains("counter"));
        return server;
    }

    private String token() throws IOException {
        return Files.readString(home.resolve("mailroot/admin.token")).strip();
    }

    private Path ranFile() {
        return home.resolve("ran.txt");
    }

    private String runPath() {
        return "/connectors/counter/run?file=" + ranFile();
    }

    /** An HTTP/1.1 response as read off the socket. */
    record Response(int status, String head, String body) {
        String header(String name) {
            return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }
    }

    /** Sends {@code method target} with exactly the headers given (each "Name: value"), and reads the whole response. */
    private static Response raw(int port, String method, String target, String... headers) throws IOException {
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("Connection: close\r\nContent-Length: 0\r\n\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            return new Response(Integer.parseInt(head.substring(9, 12)), head, all.substring(split + 4));
        }
    }

    private Response post(int port, String target, String... headers) throws IOException {
        return raw(port, "POST", target, headers);
    }

    private String bearer() throws IOException {
        return "Authorization: Bearer " + token();
    }

    @Test
    void healthNeedsNoTokenAndSaysWhereSmtpListens() throws Exception {
        try (TestServer server = server("")) {
            int port = server.server().adminPort();
            Response health = raw(port, "GET", "/health", "Host: 127.0.0.1:" + port);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.header("Content-Type")).isEqualTo("application/json");
            assertThat(health.body()).startsWith("{\"status\":\"ok\",\"spool\":0,")
                    .contains("\"plugins\":[\"counter\"]", "\"smtp\":\"127.0.0.1:" + server.port() + "\"",
                            "\"home\":\"" + server.home().root() + "\"",
                            "\"pid\":" + ProcessHandle.current().pid(),
                            "\"listeners\":[{\"name\":\"mx\",\"address\":\"127.0.0.1:" + server.port()
                                    + "\",\"tls\":\"starttls\",\"anonymous\":true,\"auth\":true}]");
        }
    }

    @Test
    void anActionWithoutTheRightTokenIs401AndDoesNotRun() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = server("")) {
            int port = server.server().adminPort();
            String host = "Host: 127.0.0.1:" + port;
            Response none = post(port, runPath(), host);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(none.body()).endsWith("\n").hasLineCount(1).contains("Authorization: Bearer");
            assertThat(post(port, runPath(), host, "Authorization: Bearer " + "A".repeat(43)).status()).isEqualTo(401);
            assertThat(post(port, runPath(), host, "Authorization: Basic " + token()).status()).isEqualTo(401);
            assertThat(post(port, runPath(), host, "Authorization: Bearer " + token() + "x").status()).isEqualTo(401);
            assertThat(ranFile()).doesNotExist();
            // four refusals from one address within a minute: one log line
            assertThat(logs.containing("MR1020")).hasSize(1);
            assertThat(logs.containing("MR1020").get(0).getFormattedMessage()).contains("127.0.0.1", "POST /connectors/counter/run");

            Response ok = post(port, runPath(), host, bearer());
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("counter: ran\n");
            assertThat(Files.readAllLines(ranFile())).containsExactly("ran");
        }
    }

    @Test
    void aHostThatIsNotThisMachineIsRefusedEvenWithTheToken() throws Exception {
        try (LogCapture logs = new LogCapture(); TestServer server = server("admin: {hosts: [mailroot.test]}\n")) {
            int port = server.server().adminPort();
            // DNS rebinding: the attacker's name now resolves to 127.0.0.1, the browser sends its Host
            Response rebound = post(port, runPath(), "Host: evil.example:" + port, bearer());
            assertThat(rebound.status()).isEqualTo(403);
            assertThat(rebound.body()).hasLineCount(1).contains("Host 'evil.example:" + port + "'");
            assertThat(raw(port, "GET", "/health", "Host: evil.example").status()).isEqualTo(403);
            assertThat(post(port, runPath(), "Host: localhost.evil.example", bearer()).status()).isEqualTo(403);
            assertThat(post(port, runPath(), bearer()).status()).as("no Host at all").isEqualTo(403);
            assertThat(post(port, "http://evil.example" + runPath(), "Host: 127.0.0.1", bearer()).status())
                    .as("absolute request target").isEqualTo(403);
            assertThat(ranFile()).doesNotExist();
            assertThat(logs.containing("MR1021")).hasSize(1);

            for (String allowed : List.of("127.0.0.1", "127.0.0.1:" + port, "localhost", "LOCALHOST:" + port, "[::1]",
                    "[::1]:" + port, "mailroot.test", "mailroot.test:" + port)) {
                assertThat(post(port, runPath(), "Host: " + allowed, bearer()).status()).as(allowed).isEqualTo(200);
            }
            assertThat(Files.readAllLines(ranFile())).hasSize(8);
        }
    }

    @Test
    void aCrossSiteOriginIsRefusedEvenWithTheToken() throws Exception {
        try (TestServer server = server("")) {
            int port = server.server().adminPort();
            String host = "Host: 127.0.0.1:" + port;
            // what a page on another site sends with a form aimed at the endpoint
            Response form = post(port, runPath(), host, "Origin: https://evil.example",
                    "Content-Type: application/x-www-form-urlencoded");
            assertThat(form.status()).isEqualTo(403);
            assertThat(form.body()).hasLineCount(1).contains("Origin 'https://evil.example'");
            for (String foreign : List.of("https://evil.example", "http://localhost:3000", "http://127.0.0.1",
                    "null", "file://", "http://127.0.0.1:" + port + ".evil.example")) {
                assertThat(post(port, runPath(), host, "Origin: " + foreign, bearer()).status()).as(foreign).isEqualTo(403);
            }
            assertThat(ranFile()).doesNotExist();
            assertThat(post(port, runPath(), host, "Origin: http://127.0.0.1:" + port, bearer()).status()).isEqualTo(200);
            assertThat(post(port, runPath(), host, "Origin: http://localhost:" + port, bearer()).status()).isEqualTo(200);
        }
    }

    @Test
    void queueActionsNeedTheTokenRefuseAnotherOriginAndCheckTheirParametersBeforeTouchingAnything() throws Exception {
        int closed = ChildServer.freePort();
        try (TestServer server = TestServer.start(home, "outbound: {routes: {remote.test: \"127.0.0.1:" + closed
                + "\"}, retryFirst: 1h, retryMax: 1h}\n", dev.mailroot.server.dispatch.SinkChain.EMPTY)) {
            Path tmp = home.resolve("mailroot/pickup/.q");
            Files.writeString(tmp, "x-sender: a@localhost\r\nx-receiver: x@remote.test\r\nSubject: q\r\n\r\nx\r\n");
            Files.move(tmp, home.resolve("mailroot/pickup/q.eml"));
            await().atMost(Duration.ofSeconds(20)).until(() -> server.server().outbound().entries().stream()
                    .anyMatch(e -> e.envelope().outbound().recipients().get(0).attempts() == 1));
            String id = server.server().outbound().entries().iterator().next().id();
            int port = server.server().adminPort();
            String host = "Host: 127.0.0.1:" + port;
            assertThat(raw(port, "GET", "/queue", host).status()).isEqualTo(401);
            assertThat(post(port, "/queue/delete?id=" + id, host).status()).isEqualTo(401);
            assertThat(post(port, "/queue/delete?id=" + id, host, "Origin: https://evil.example", bearer()).status()).isEqualTo(403);
            assertThat(raw(port, "GET", "/queue/delete?id=" + id, host, bearer()).status()).isEqualTo(405);
            assertThat(post(port, "/queue/delete?id=..%2Fetc", host, bearer()).status()).isEqualTo(400);
            assertThat(post(port, "/queue/hold", host, bearer()).status()).isEqualTo(400);
            Response unknown = post(port, "/queue/delete?id=NOSUCHID", host, bearer());
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.header("X-Mailroot-Refusal")).isEqualTo("not-queued");
            assertThat(server.server().outbound().entry(id)).isPresent();
            assertThat(server.badmail()).isEmpty();
            Response listed = raw(port, "GET", "/queue", host, bearer());
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.body()).contains("\"id\":\"" + id + "\"", "\"state\":\"deferred\"");
            assertThat(post(port, "/queue/delete?id=" + id, host, bearer()).body()).contains("deleted by administrator");
            assertThat(server.server().outbound().entry(id)).isEmpty();
        }
    }

    @Test
    void actionsArePostOnlyAndPathsMatchExactly() throws Exception {
        try (TestServer server = server("")) {
            int port = server.server().adminPort();
            String host = "Host: localhost:" + port;
            Response get = raw(port, "GET", runPath(), host, bearer());
            assertThat(get.status()).isEqualTo(405);
            assertThat(get.header("Allow")).isEqualTo("POST");
            Response postHealth = post(port, "/health", host, bearer());
            assertThat(postHealth.status()).isEqualTo(405);
            assertThat(postHealth.header("Allow")).isEqualTo("GET");
            assertThat(ranFile()).doesNotExist();
            for (String path : List.of("/healthz", "/health/x", "/health/", "/", "/connectors", "/connectorsx/counter/run")) {
                assertThat(raw(port, "GET", path, host, bearer()).status()).as(path).isEqualTo(404);
            }
            // with or without the token: naming no action runs nothing and needs no token to say so
            assertThat(raw(port, "GET", "/healthz", host).status()).isEqualTo(404);
            assertThat(raw(port, "GET", runPath(), host).status()).isEqualTo(405);
            assertThat(ranFile()).doesNotExist();
            assertThat(post(port, "/connectors/counter", host, bearer()).status()).isEqualTo(404);
            assertThat(post(port, "/connectors/counter/run/more", host, bearer()).status()).isEqualTo(404);
            assertThat(post(port, "/connectors/counter/nope", host, bearer()).status()).isEqualTo(404);
            assertThat(post(port, "/connectors/missing/run", host, bearer()).body()).contains("no running connector 'missing'");
        }
    }

    @Test
    void theTokenIsMadeOwnerOnlyAtFirstStartAndKept() throws Exception {
        Path file = home.resolve("mailroot/admin.token");
        String first;
        try (TestServer server = server("")) {
            assertThat(server.home().adminTokenFile()).isEqualTo(file);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            first = token();
            assertThat(first).matches("[A-Za-z0-9_-]{43}"); // 32 random bytes, base64url
            assertThat(home.resolve("mailroot")).isDirectoryNotContaining("glob:**.tmp");
        }
        try (TestServer restarted = server("")) {
            assertThat(post(restarted.server().adminPort(), runPath(), "Host: localhost", bearer()).status()).isEqualTo(200);
            assertThat(token()).isEqualTo(first);
        }
        // readable by others (restored from a backup, a chmod): it may have leaked, so it is replaced
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (LogCapture logs = new LogCapture(); TestServer restarted = server("")) {
            assertThat(token()).isNotEqualTo(first).matches("[A-Za-z0-9_-]{43}");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(logs.containing("MR1023")).hasSize(1);
            assertThat(post(restarted.server().adminPort(), runPath(), "Host: localhost",
                    "Authorization: Bearer " + first).status()).isEqualTo(401);
        }
    }

    private String retrieve(String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[more.length + 3];
        args[0] = "retrieve";
        args[1] = "--home";
        args[2] = home.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return exit + "\n" + out + err;
    }

    @Test
    void retrieveSendsTheTokenAndSaysPlainlyWhenNoServerRuns() throws Exception {
        int idle = ChildServer.freePort();
        try (TestServer server = TestServer.startWithPlugins(home, "admin: {port: " + idle + "}\n")) {
            int port = server.server().adminPort();
            assertThat(Files.readString(home.resolve("mailroot/admin.port")).strip()).isEqualTo(String.valueOf(port));
            // the token went with it: the endpoint answered the command itself (no such plugin: exit 3)
            assertThat(retrieve()).startsWith("3\n").contains("mailroot: no plugin 'pop3-connector' with a service runs in the server");
            Files.writeString(home.resolve("mailroot/admin.token"), "A".repeat(43) + "\n");
            // a token file that is not the server's: the client finds out before it sends it anywhere
            assertThat(retrieve()).startsWith("1\n").contains("cannot prove it holds the token in "
                    + home.toRealPath().resolve("mailroot/admin.token"), "the token was not sent");
        }
        assertThat(home.resolve("mailroot/admin.port")).doesNotExist();
        assertThat(retrieve()).startsWith("1\n").contains("mailroot: the server is not running in " + home.toRealPath()
                + " (no mailroot/admin.port)");
        Files.writeString(home.resolve("mailroot/admin.port"), idle + "\n"); // left behind by a server that was killed
        assertThat(retrieve()).startsWith("1\n").contains("(nothing answers on 127.0.0.1:" + idle + ")");
    }
}
