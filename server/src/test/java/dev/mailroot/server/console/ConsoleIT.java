package dev.mailroot.server.console;

import com.sun.net.httpserver.HttpServer;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console in a real browser (headless Chromium from Debian, driven by Selenium) against a
 * real server with a real plugin: what an administrator clicks, and what it changes on disk.
 * Screenshots of each page go to {@code target/console-screenshots/} (docs/console.md shows them).
 */
class ConsoleIT {
    static final String ACTION_ID = "{11111111-2222-3333-4444-555555555555}";

    @TempDir
    static Path work;
    static TestServer server;
    static Browser browser;
    static String token;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve("plugins"));
        PluginJarBuilder.plugin("actions").source("test.sinks.ActionSink", TestPlugins.ACTION_SINK)
                .build(work, home.resolve("plugins/actions.jar"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailboxes.yaml"), """
                mailboxes:
                  carol:
                    displayName: Carol Smith
                    aliases: [c.smith, defaulted]
                    quota: {size: 1 MB, messages: 100, warnPercent: 80}
                  bob:
                    forwardTo: [bob@elsewhere.test]
                """);
        server = TestServer.startWithPlugins(home, "domains: [example.test]\nplugins: {bundled: false}\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.server().plugins().loadedPlugins().contains("actions"));
        token = Files.readString(server.home().adminTokenFile()).strip();
        port = server.server().adminPort();
        server.server().history().sample(); // the chart's first point: the totals at start
        browser = Browser.start(work);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshLogin() {
        browser.open("http://127.0.0.1:" + port + "/ui/login");
        browser.driver().manage().deleteAllCookies();
        browser.login(port, token);
    }

    private BindingStore store() {
        return new BindingStore(server.home().bindingsFile());
    }

    private WebElement row(String tableCss, String containing) {
        return browser.all(tableCss + " tbody tr").stream().filter(r -> r.getText().contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no row with '" + containing + "' in " + tableCss + ":\n" + browser.text()));
    }

    @Test
    void aWrongSecretIsRefusedAndTheTokenOpensTheStatusPage() throws Exception {
        browser.find("form.inline button.logout").click();
        await().until(() -> browser.driver().getCurrentUrl().contains("/ui/login"));
        browser.find("#secret").sendKeys("not-the-token");
        browser.find("#login").click();
        browser.waitForText("Wrong token or password.");
        assertThat(browser.session()).isNull();

        browser.login(port, token);
        assertThat(browser.session().isHttpOnly()).isTrue();
        assertThat(browser.session().getSameSite()).isEqualTo("Strict");
        assertThat(browser.text()).contains("messages in the spool", "Listeners", "Last warnings and errors");
        assertThat(browser.find("#listeners").getText()).contains("mx", "127.0.0.1:" + server.port());
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.sendMail("alice@sender.test", List.of("carol@example.test"), "Subject: for the chart\r\n\r\nx\r\n")).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("carol").stream().anyMatch(f -> read(f).contains("for the chart")));
        server.server().history().sample();
        server.server().history().sample();
        browser.driver().navigate().refresh();
        assertThat(browser.all("#chart polyline.received")).hasSize(1);
        assertThat(browser.find(".legend").getText()).containsPattern("received [1-9]").containsPattern("delivered [1-9]");
        browser.driver().findElement(By.xpath("//button[text()='Run the doctor now']")).click();
        browser.waitForText("doctor: ");
        assertThat(browser.find("#doctor").getText()).contains("MR8001", "server", "MR8014", "open-relay");
        assertThat(browser.find("#flash").getText()).containsPattern("doctor: \\d+ ok").doesNotContain("doctor: doctor");
        browser.screenshot("status");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void disablingABindingInTheBrowserWritesBindingsYamlAndEnablingPutsItBack() throws Exception {
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.sendMail("alice@sender.test", List.of("defaulted@example.test"), "Subject: tagged\r\n\r\nx\r\n")).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("carol").stream().anyMatch(f -> read(f).contains("X-Tag: Action default")));
        browser.find("#nav-bindings").click();
        WebElement row = row("#bindings-OnSubmission", "Action default");
        assertThat(row.getText()).contains("RCPT TO=defaulted@*", "test.sinks.ActionSink", "actions", "enabled").containsPattern("[1-9]\\d* calls");
        browser.screenshot("bindings");

        row.findElement(By.xpath(".//button[text()='Disable']")).click();
        browser.waitForText("disabled binding 'Action default'");
        assertThat(store().read().byId(ACTION_ID)).map(Binding::enabled).contains(false);
        assertThat(Files.readString(server.home().bindingsFile())).contains("enabled: false");
        assertThat(row("#bindings-OnSubmission", "Action default").getText()).contains("disabled");

        row("#bindings-OnSubmission", "Action default").findElement(By.xpath(".//button[text()='Enable']")).click();
        browser.waitForText("enabled binding 'Action default'");
        assertThat(store().read().byId(ACTION_ID)).map(Binding::enabled).contains(true);

        // the server disabled it after failures: Re-register (KB 885685's fix) brings it back
        store().update(r -> r.change(ACTION_ID, b -> b.withFailure(new Binding.Failure(java.time.Instant.now(), 5, "boom"))));
        browser.find("#nav-bindings").click();
        assertThat(row("#bindings-OnSubmission", "Action default").getText()).contains("disabled by the server", "5 failures", "boom");
        row("#plugins", "actions").findElement(By.xpath(".//button[text()='Re-register']")).click();
        browser.waitForText("re-registered plugin actions: re-enabled 'Action default'");
        assertThat(store().read().byId(ACTION_ID)).hasValueSatisfying(b -> {
            assertThat(b.enabled()).isTrue();
            assertThat(b.failure()).isNull();
        });
    }

    @Test
    void aFormPostedFromAnotherSiteIsRefusedAndChangesNothing() throws Exception {
        String before = Files.readString(server.home().bindingsFile());
        // the attacker's page: another origin on this machine, a form aimed at the console
        HttpServer evil = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String page = "<html><body><form method='post' action='http://127.0.0.1:" + port + "/ui/bindings'>"
                + "<input type='hidden' name='action' value='disable'><input type='hidden' name='id' value='" + ACTION_ID + "'>"
                + "<button id='go'>win a prize</button></form></body></html>";
        evil.createContext("/", ex -> {
            byte[] b = page.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        evil.start();
        try {
            browser.open("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            browser.find("#go").click();
            browser.waitForText("403 forbidden");
        } finally {
            evil.stop(0);
        }
        assertThat(Files.readString(server.home().bindingsFile())).isEqualTo(before);

        // the session cookie alone (a same-site request without the page's form token) is not enough either
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ui/bindings"))
                .header("Cookie", "mrsession=" + browser.session().getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=disable&id=" + ACTION_ID)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("form token");
        assertThat(Files.readString(server.home().bindingsFile())).isEqualTo(before);
        // and no page at all without a session
        HttpResponse<String> anon = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ui/bindings")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anon.statusCode()).isEqualTo(303);
        assertThat(anon.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/ui/login"));
    }

    @Test
    void theSieveEditorSavesOnlyAScriptThatCompilesAndTheMailboxPageShowsNewMail() throws Exception {
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.sendMail("alice@sender.test", List.of("c.smith@example.test"),
                    "From: Alice <alice@sender.test>\r\nSubject: =?UTF-8?Q?Quarterly_r=C3=A9port?=\r\n\r\nhello\r\n")).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.newMail("carol").isEmpty());
        browser.find("#nav-mailboxes").click();
        WebElement carol = row("#mailboxes", "carol");
        assertThat(carol.getText()).contains("c.smith@example.test", " msg / 1 MB");
        assertThat(row("#mailboxes", "bob").getText()).contains("without a copy here");
        browser.screenshot("mailboxes");

        carol.findElement(By.linkText("carol")).click();
        assertThat(row("#inbox", "Quarterly").getText()).contains("Alice <alice@sender.test>", "Quarterly réport");
        Path script = server.home().sieve().resolve("carol.sieve");
        browser.find("#sieve-script").sendKeys("require [\"fileinto\"];\nif header :contains \"subject\" \"report\" {\n  fileinto \"Reports\"\n}\n");
        browser.find("#sieve-save").click();
        browser.waitForText("does not compile");
        assertThat(browser.find("#flash").getText()).contains("line", "not saved");
        assertThat(script).doesNotExist();
        assertThat(browser.find("#sieve-script").getAttribute("value")).contains("fileinto \"Reports\"");

        WebElement editor = browser.find("#sieve-script");
        editor.clear();
        editor.sendKeys("require [\"fileinto\"];\nif header :contains \"subject\" \"report\" {\n  fileinto \"Reports\";\n}\n");
        browser.find("#sieve-save").click();
        browser.waitForText("saved the Sieve script of mailbox carol");
        assertThat(Files.readString(script)).contains("fileinto \"Reports\";").doesNotContain("\r");
        browser.screenshot("mailbox");
    }

    @Test
    void aDeferredRemoteMessageCanBeHeldAndReleasedFromTheQueuePage() throws Exception {
        Path tmp = server.home().pickup().resolveSibling("queued.tmp");
        Files.writeString(tmp, "x-sender: carol@example.test\r\nx-receiver: dave@remote.test\r\nSubject: to a remote peer\r\n\r\nhi\r\n");
        Files.move(tmp, server.home().pickup().resolve("queued.eml"));
        browser.find("#nav-folders").click();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            browser.driver().navigate().refresh();
            return row("#queue", "dave@remote.test").getText().contains("deferred");
        });
        row("#queue", "dave@remote.test").findElement(By.xpath(".//button[text()='Hold']")).click();
        browser.waitForText("held");
        assertThat(row("#queue", "dave@remote.test").getText()).contains("held");
        assertThat(row("#queue", "dave@remote.test").findElements(By.xpath(".//button[text()='Hold']"))).isEmpty();
        browser.screenshot("queue");
        row("#queue", "dave@remote.test").findElement(By.xpath(".//button[text()='Release']")).click();
        browser.waitForText("released");
        row("#queue", "dave@remote.test").findElement(By.cssSelector("a")).click();
        assertThat(browser.find("#queue-headers").getText()).contains("Subject: to a remote peer");
        assertThat(browser.find("#recipients").getText()).contains("dave@remote.test", "remote.test");
        browser.find("#folder-queue").click();
        row("#queue", "dave@remote.test").findElement(By.xpath(".//button[text()='Delete (to badmail)']")).click();
        browser.waitForText("moved to badmail");
        assertThat(server.badmail()).anySatisfy(f -> assertThat(f.getFileName().toString()).endsWith(".bad"));
    }

    @Test
    void aBadmailEntryIsResubmittedOnceItsCauseIsFixedAndSearchFindsItDelivered() throws Exception {
        String trap = Binding.newId();
        store().update(r -> r.with(new Binding(trap, "Badmail trap", "OnSubmission", "test.sinks.ActionSink", true,
                "MAIL FROM=trap@*", 10, Map.of("action", "badmail"), null)));
        // the server runs the new binding once its live view (GET /bindings) has it
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/bindings")).header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body().contains("Badmail trap"));
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.sendMail("trap@sender.test", List.of("carol@example.test"),
                    "From: trap@sender.test\r\nSubject: Order 1234 <confirmed>\r\nMessage-ID: <order1234@sender.test>\r\n\r\nbody\r\n"))
                    .startsWith("250");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.badmail().stream().anyMatch(f -> f.toString().endsWith(".bad")));

        browser.open("http://127.0.0.1:" + port + "/ui/folders/badmail");
        WebElement entry = row("#badmail", "Order 1234");
        assertThat(entry.getText()).contains("trap@sender.test", "carol@example.test", "Badmail trap");
        browser.screenshot("badmail");
        entry.findElement(By.cssSelector("a")).click();
        assertThat(browser.find("#entry").getText()).contains("Subject: Order 1234 <confirmed>", "x-receiver: carol@example.test");
        browser.screenshot("badmail-entry");

        // fix the cause in the console, then resubmit
        browser.find("#nav-bindings").click();
        row("#bindings-OnSubmission", "Badmail trap").findElement(By.xpath(".//button[text()='Disable']")).click();
        browser.waitForText("disabled binding 'Badmail trap'");
        // the server applies bindings.yaml within a second: resubmit once its live view has the change
        await().atMost(Duration.ofSeconds(20)).until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/bindings")).header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body().matches("(?s).*\"name\":\"Badmail trap\",\"enabled\":false.*"));
        browser.open("http://127.0.0.1:" + port + "/ui/folders/badmail");
        row("#badmail", "Order 1234").findElement(By.xpath(".//button[text()='Resubmit']")).click();
        browser.waitForText("resubmitted as pickup/");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.newMail("carol").stream().anyMatch(f -> {
            try {
                return Files.readString(f).contains("Order 1234");
            } catch (java.io.IOException e) {
                return false;
            }
        }));
        assertThat(browser.all("#badmail tbody tr")).noneMatch(r -> r.getText().contains("Order 1234"));

        browser.find("#nav-search").click();
        browser.find("#search-subject").sendKeys("order 1234");
        browser.find("#search").click();
        browser.waitForText("mailbox carol");
        assertThat(row("#hits", "mailbox carol").getText()).contains("Order 1234 <confirmed>", "trap@sender.test");
        browser.screenshot("search");
    }

    @Test
    void theLogLevelOfThePop3ConnectorIsNotOfferedWithoutThePlugin() {
        browser.find("#nav-pop3").click();
        assertThat(browser.find("#pop3-missing").getText()).contains("not running");
    }
}
