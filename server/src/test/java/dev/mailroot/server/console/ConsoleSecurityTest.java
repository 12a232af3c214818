package dev.mailroot.server.console;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console attacked over raw HTTP: a rebound DNS name, a foreign Origin, guessing the password,
 * a stolen-looking cookie, hostile message headers on the pages, oversized and mistyped forms.
 */
class ConsoleSecurityTest {
    @TempDir
    static Path home;
    static TestServer server;
    static int port;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.startWithPlugins(home, "domains: [example.test]\nplugins: {bundled: false}\n");
        port = server.server().adminPort();
        token = Files.readString(server.home().adminTokenFile()).strip();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Response(int status, String head, String body) {
        String header(String name) {
            return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }
    }

    static Response raw(String method, String target, String body, String... headers) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("Connection: close\r\nContent-Length: ").append(b.length).append("\r\n\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            return new Response(Integer.parseInt(head.substring(9, 12)), head, all.substring(split + 4));
        }
    }

    static final String FORM = "Content-Type: application/x-www-form-urlencoded";

    /** Logs in with the token: the session cookie's value. */
    static String login() throws IOException {
        Response r = raw("POST", "/ui/login", "secret=" + token + "&next=/ui/", "Host: 127.0.0.1:" + port, FORM);
        assertThat(r.status()).isEqualTo(303);
        String cookie = r.header("Set-Cookie");
        assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/ui");
        return cookie.substring("mrsession=".length(), cookie.indexOf(';'));
    }

    @Test
    void aRequestNamingAnotherHostOrComingFromAnotherOriginIsRefusedBeforeTheLogin() throws Exception {
        // DNS rebinding: evil.example resolved to 127.0.0.1, the browser sends its own name
        Response rebound = raw("POST", "/ui/login", "secret=" + token, "Host: evil.example:" + port, FORM);
        assertThat(rebound.status()).isEqualTo(403);
        assertThat(rebound.header("Set-Cookie")).isNull();
        Response foreign = raw("POST", "/ui/login", "secret=" + token, "Host: 127.0.0.1:" + port, "Origin: http://evil.example", FORM);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.header("Set-Cookie")).isNull();
        String session = login();
        Response page = raw("GET", "/ui/bindings", "", "Host: evil.example", "Cookie: mrsession=" + session);
        assertThat(page.status()).isEqualTo(403);
        assertThat(page.body()).doesNotContain("<table");
    }

    @Test
    void guessingLocksPasswordsOutButNotTheToken() throws Exception {
        try (TestServer other = TestServer.startWithPlugins(home.resolve("lockout"), "domains: [example.test]\nplugins: {bundled: false}\n")) {
            int p = other.server().adminPort();
            String right = Files.readString(other.home().adminTokenFile()).strip();
            int before = port;
            port = p;
            try {
                for (int i = 0; i < Sessions.MAX_FAILURES; i++) {
                    assertThat(raw("POST", "/ui/login", "secret=guess" + i, "Host: localhost:" + p, FORM).status()).isEqualTo(403);
                }
                Response locked = raw("POST", "/ui/login", "secret=guess-again", "Host: localhost:" + p, FORM);
                assertThat(locked.status()).isEqualTo(429);
                assertThat(locked.body()).contains("Too many failed logins", "the admin token still works");
                assertThat(locked.header("Set-Cookie")).isNull();
                // another local user's guesses (every local client is 127.0.0.1) must not keep the administrator out
                Response token = raw("POST", "/ui/login", "secret=" + right, "Host: localhost:" + p, FORM);
                assertThat(token.status()).isEqualTo(303);
                assertThat(token.header("Set-Cookie")).startsWith("mrsession=");
            } finally {
                port = before;
            }
        }
    }

    @Test
    void aMadeUpCookieGetsTheLoginPageAndAPostWithItChangesNothing() throws Exception {
        Response get = raw("GET", "/ui/bindings", "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        assertThat(get.status()).isEqualTo(303);
        assertThat(get.header("Location")).startsWith("/ui/login?next=");
        Response post = raw("POST", "/ui/folders/queue", "action=flush&csrf=x", "Host: 127.0.0.1:" + port,
                "Cookie: mrsession=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", FORM);
        assertThat(post.status()).isEqualTo(401);
        // and the login's "next" cannot send the browser elsewhere
        Response r = raw("POST", "/ui/login", "secret=" + token + "&next=//evil.example/", "Host: 127.0.0.1:" + port, FORM);
        assertThat(r.header("Location")).isEqualTo("/ui/");
    }

    @Test
    void headersFromStrangersAreEscapedOnEveryPageThatShowsThem() throws Exception {
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.sendMail("x@sender.test", List.of("eve@example.test"), "From: <script>alert(1)</script> <x@sender.test>\r\n"
                    + "Subject: \"><img src=x onerror=alert(2)> \u001b[31mred\r\n\r\nbody\r\n")).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.newMail("eve").isEmpty());
        String session = login();
        for (String page : List.of("/ui/mailboxes/eve", "/ui/search?subject=red")) {
            Response r = raw("GET", page, "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session);
            assertThat(r.status()).as(page).isEqualTo(200);
            assertThat(r.body()).as(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "\\x1b[31mred")
                    .doesNotContain("<script", "<img", "\u001b");
            assertThat(r.header("Content-Security-Policy")).contains("default-src 'none'", "frame-ancestors 'none'");
        }
    }

    @Test
    void aFormThatIsNotUrlEncodedOrTooLargeIsRefusedWithoutBeingRead() throws Exception {
        String session = login();
        Response json = raw("POST", "/ui/bindings", "{\"action\":\"disable\"}", "Host: 127.0.0.1:" + port,
                "Cookie: mrsession=" + session, "Content-Type: application/json");
        assertThat(json.status()).isEqualTo(415);
        Response big = raw("POST", "/ui/bindings", "a=" + "x".repeat(1 << 20), "Host: 127.0.0.1:" + port,
                "Cookie: mrsession=" + session, FORM);
        assertThat(big.status()).isEqualTo(415);
    }

    /** The session's form token, read from a page as a browser would. */
    static String csrf(String session) throws IOException {
        Response page = raw("GET", "/ui/", "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).as("a form token on the status page").isTrue();
        return m.group(1);
    }

    @Test
    void clientsThatNeverFinishTheirRequestDoNotFreezeTheEndpoint() throws Exception {
        List<Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write(("POST /ui/login HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + FORM
                        + "\r\nContent-Length: 100\r\n\r\nsecret=").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void aFolderEntryThatCannotBeMovedAndAQueueActionWithoutAMessageAnswerWithAMessageNotAnError() throws Exception {
        Path badmail = server.home().badmail();
        Files.createDirectories(badmail.resolve("odd.bad"));
        Files.createSymbolicLink(badmail.resolve("link.bad"), home.resolve("nowhere"));
        String session = login();
        String token = csrf(session);
        for (String id : List.of("odd", "link")) {
            Response r = raw("POST", "/ui/folders/badmail", "csrf=" + token + "&action=resubmit&id=" + id, "Host: 127.0.0.1:" + port,
                    "Cookie: mrsession=" + session, FORM);
            assertThat(r.status()).as(id).isEqualTo(303);
            Response page = raw("GET", "/ui/folders/badmail", "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session);
            assertThat(page.body()).as(id).contains("class=\"flash error\"").doesNotContain("Exception");
        }
        assertThat(badmail.resolve("odd.bad")).isDirectory();
        assertThat(Files.isSymbolicLink(badmail.resolve("link.bad"))).isTrue();
        Response hold = raw("POST", "/ui/folders/queue", "csrf=" + token + "&action=hold", "Host: 127.0.0.1:" + port,
                "Cookie: mrsession=" + session, FORM);
        assertThat(hold.status()).isEqualTo(303);
        Response ghost = raw("POST", "/ui/folders/queue", "csrf=" + token + "&action=release&id=NOSUCHID", "Host: 127.0.0.1:" + port,
                "Cookie: mrsession=" + session, FORM);
        assertThat(ghost.status()).isEqualTo(303);
        assertThat(raw("GET", "/ui/folders/queue", "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session).body())
                .contains("no message NOSUCHID in the outbound queue");
    }

    @Test
    void aSieveScriptWithCrlfLineEndsOpensAndSavesUnchangedAndAnAutoCreatedMailboxSaysHowToAddIt() throws Exception {
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.sendMail("x@sender.test", List.of("frank@example.test"), "Subject: hi\r\n\r\nbody\r\n")).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.newMail("frank").isEmpty());
        Path script = server.home().sieve().resolve("frank.sieve");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "require \"fileinto\";\r\nif header :contains \"subject\" \"x\" {\r\n  fileinto \"X\";\r\n}\r\n");
        String session = login();
        Response page = raw("GET", "/ui/mailboxes/frank", "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session);
        assertThat(page.body()).contains("id=\"auto-mailbox\"", "bin/mailroot mailbox add frank").doesNotContain("\\x0d");
        String text = page.body().substring(page.body().indexOf("id=\"sieve-script\""));
        text = text.substring(text.indexOf('>') + 1, text.indexOf("</textarea>")).replace("&quot;", "\"").replace("&amp;", "&");
        String token = csrf(session);
        Response save = raw("POST", "/ui/mailboxes/frank", "csrf=" + token + "&action=sieve-save&script="
                + java.net.URLEncoder.encode(text.replace("\n", "\r\n"), StandardCharsets.UTF_8), "Host: 127.0.0.1:" + port,
                "Cookie: mrsession=" + session, FORM);
        assertThat(save.status()).isEqualTo(303);
        assertThat(Files.readString(script)).isEqualTo("require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n  fileinto \"X\";\n}\n");
        Response forward = raw("POST", "/ui/mailboxes/frank", "csrf=" + token + "&action=forwarding&forwardTo=a%40b.test",
                "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session, FORM);
        assertThat(forward.status()).isEqualTo(303);
        assertThat(raw("GET", "/ui/mailboxes/frank", "", "Host: 127.0.0.1:" + port, "Cookie: mrsession=" + session).body())
                .contains("add it to the directory first");
        assertThat(server.home().mailboxesFile()).doesNotExist();
    }
}
