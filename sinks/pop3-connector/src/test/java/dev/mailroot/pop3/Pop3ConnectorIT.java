package dev.mailroot.pop3;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.ChildServer;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.awaitility.Awaitility.await;

/** The POP3 connector as built, in a real server, against GreenMail's POP3 server. */
class Pop3ConnectorIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret")
                    .withUser("shop@example.net", "shop", "shopsecret"));

    private static final Path STAMP = Path.of(System.getProperty("stamp.jar", "../stamp/target/stamp.jar"));

    @TempDir
    Path home;

    private ConnectorHome connector() {
        return new ConnectorHome(home);
    }

    private Path plugins() throws Exception {
        return connector().plugins();
    }

    private void accounts(String yaml) throws Exception {
        connector().accounts(yaml);
    }

    private static int pop3Port() {
        return remote.getPop3().getPort();
    }

    private static String carol(String extra) {
        return "accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n    port: " + pop3Port()
                + "\n    user: carol\n    password: secret\n    mailbox: carol\n    intervalMinutes: 600\n" + extra;
    }

    private static void deliver(String login, String raw) throws Exception {
        remote.getUserManager().getUser(login).deliver(GreenMailUtil.newMimeMessage(raw));
    }

    private static int remoteCount(String login, String password) throws Exception {
        return ConnectorHome.remoteCount(pop3Port(), login, password);
    }

    private static String delivered(TestServer server, String box, int count) throws Exception {
        return ConnectorHome.delivered(server, box, count);
    }

    private String run(String... args) {
        return connector().run(args);
    }

    @Test
    void aUserMailboxAccountIsDownloadedIntoTheLocalMaildirAndDeletedOnTheServer() throws Exception {
        deliver("carol", "From: Alice <alice@example.org>\r\nTo: carol@example.net\r\nSubject: first\r\n\r\nhello 1\r\n");
        deliver("carol", "From: bob@example.org\r\nTo: carol@example.net\r\nSubject: second\r\n\r\nhello 2\r\n");
        accounts(carol(""));
        try (LogCapture logs = new LogCapture();
             TestServer server = TestServer.startWithPlugins(home, "logging: {pop3-connector: debug}\n")) {
            String first = delivered(server, "carol", 2);
            String all = Files.readString(server.newMail("carol").get(0)) + first;
            assertThat(all).contains("Subject: first", "hello 1", "Subject: second", "hello 2",
                    "Delivered-To: carol@localhost", "From: Alice <alice@example.org>");
            assertThat(all).doesNotContain("mspop3connector", "x-sender", "x-receiver");
            await().atMost(Duration.ofSeconds(10)).until(() -> remoteCount("carol", "secret") == 0);
            assertThat(Files.list(home.resolve("mailroot/pop3/incoming")).toList()).isEmpty();
            Binding sink = new BindingStore(home.resolve("conf/bindings.yaml")).read()
                    .byId("{66F4180A-627E-4073-8D31-51F628AA8366}").orElseThrow();
            assertThat(sink.name()).isEqualTo("POP3 Connector Event Sink");
            assertThat(sink.rule()).isEqualTo("RCPT TO=*mspop3connector.*");
            assertThat(sink.priority()).isZero();
            // each stage at INFO with its event id, per-message detail at DEBUG (logging: {pop3-connector: debug})
            assertThat(logs.containing("MR5002 account carol-isp: downloaded 2, transferred 2, failed 0")).hasSize(1);
            assertThat(logs.containing("MR5003")).hasSize(2).allMatch(e -> e.getLevel().toString().equals("DEBUG"));
            assertThat(logs.containing("MR5004")).hasSize(2);
            assertThat(logs.containing("MR1101")).hasSize(2);
        }
    }

    @Test
    void aGlobalAccountRoutesByAddressAndSendsTheRestToTheFallbackMailbox() throws Exception {
        deliver("shop", "From: a@example.org\r\nTo: sales@example.net\r\nSubject: order\r\n\r\nx\r\n");
        deliver("shop", "From: a@example.org\r\nTo: nobody@example.net\r\nCc: support-team@example.net\r\nSubject: help\r\n\r\nx\r\n");
        deliver("shop", "From: a@example.org\r\nTo: unknown@example.net\r\nSubject: stray\r\n\r\nx\r\n");
        accounts("accounts:\n  - name: shop\n    host: 127.0.0.1\n    port: " + pop3Port() + "\n    user: shop\n"
                + "    password: shopsecret\n    type: global\n    routing:\n"
                + "      - {address: \"sales@example.net\", mailbox: sales}\n"
                + "      - {address: \"support*@example.net\", mailbox: support}\n"
                + "    fallbackMailbox: postmaster\n    intervalMinutes: 600\n");
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(delivered(server, "sales", 1)).contains("Subject: order");
            assertThat(delivered(server, "support", 1)).contains("Subject: help");
            await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("postmaster").size() == 2);
            String fallback = Files.readString(server.newMail("postmaster").get(0)) + Files.readString(server.newMail("postmaster").get(1));
            assertThat(fallback).contains("Subject: help", "Subject: stray");
            assertThat(server.newMail("sales")).hasSize(1);
        }
    }

    @Test
    void leaveOnServerFetchesEachMessageOnceAcrossRetrievalsAndRestarts() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: kept 1\r\n\r\nx\r\n");
        deliver("carol", "From: a@example.org\r\nSubject: kept 2\r\n\r\nx\r\n");
        accounts(carol("    leaveOnServer: true\n"));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            delivered(server, "carol", 2);
            assertThat(run("retrieve", "--home", home.toString())).startsWith("0\n")
                    .contains("account carol-isp: downloaded 0, transferred 0, failed 0");
            assertThat(run("retrieve", "--home", home.toString(), "--account", "carol-isp")).startsWith("0\n");
            assertThat(remoteCount("carol", "secret")).isEqualTo(2);
        }
        deliver("carol", "From: a@example.org\r\nSubject: kept 3\r\n\r\nx\r\n");
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            String third = delivered(server, "carol", 3);
            assertThat(third).contains("Subject: kept 3");
            assertThat(run("retrieve", "--home", home.toString())).contains("downloaded 0");
            assertThat(server.newMail("carol")).hasSize(3);
            assertThat(remoteCount("carol", "secret")).isEqualTo(3);
        }
    }

    @Test
    void aServerThatIsDownIsLoggedAndTheNextRunFetchesEverything() throws Exception {
        int port = ChildServer.freePort();
        accounts("accounts:\n  - name: later\n    host: 127.0.0.1\n    port: " + port + "\n    user: dave\n"
                + "    password: pw\n    mailbox: dave\n    intervalMinutes: 600\n    connectTimeoutSeconds: 2\n");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR5006").isEmpty());
            assertThat(logs.containing("MR5006").get(0).getFormattedMessage())
                    .contains("account later", "cannot retrieve from 127.0.0.1:" + port, "stay on the server");
            String failedRun = run("retrieve", "--home", home.toString());
            assertThat(failedRun).startsWith("1\n").contains("account later: downloaded 0", "error: cannot retrieve");

            GreenMail late = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
            late.start();
            try {
                late.setUser("dave@example.net", "dave", "pw").deliver(
                        GreenMailUtil.newMimeMessage("From: a@example.org\r\nSubject: waited\r\n\r\nx\r\n"));
                assertThat(run("retrieve", "--home", home.toString())).startsWith("0\n").contains("downloaded 1, transferred 1");
                assertThat(delivered(server, "dave", 1)).contains("Subject: waited");
            } finally {
                late.stop();
            }
        }
    }

    @Test
    void aWrongPasswordNamesTheAccountAndTheOtherAccountsStillWork() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: fine\r\n\r\nx\r\n");
        accounts(carol("") + "  - name: shop-typo\n    host: 127.0.0.1\n    port: " + pop3Port()
                + "\n    user: shop\n    password: wrong\n    mailbox: shop\n    intervalMinutes: 600\n"
                + "  - name: broken\n    host: 127.0.0.1\n    mailbox: x\n");
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            delivered(server, "carol", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.containing("MR5006").stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("shop-typo")));
            ILoggingEvent refused = logs.containing("MR5006").stream()
                    .filter(e -> e.getFormattedMessage().contains("shop-typo")).findFirst().orElseThrow();
            assertThat(refused.getFormattedMessage()).contains("account shop-typo", "login refused");
            assertThat(logs.containing("MR5001")).anySatisfy(e ->
                    assertThat(e.getFormattedMessage()).contains("account 'broken' is not used", "user is missing"));
            String report = run("retrieve", "--home", home.toString());
            assertThat(report).startsWith("1\n").contains("account 'broken' is not used",
                    "account carol-isp: downloaded 0", "account shop-typo: downloaded 0, transferred 0, failed 0, error: login refused");
        }
    }

    @Test
    void aCorruptDownloadIsQuarantinedWhileTheOthersArrive() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: good 1\r\n\r\nx\r\n");
        deliver("carol", "From: a@example.org\r\nSubject: good 2\r\n\r\nx\r\n");
        accounts(carol(""));
        // a download damaged on disk (the KB blames antivirus programs), left in incoming by an earlier run
        Path incoming = Files.createDirectories(home.resolve("mailroot/pop3/incoming"));
        Path corrupt = incoming.resolve("carol-isp." + HexFormat.of().formatHex("old-uid".getBytes()) + ".eml");
        Files.write(corrupt, new byte[]{0, 1, 2, 3, (byte) 0xff, '\r', '\n', 'x'});
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail("carol").size() == 2);
            Path failed = home.resolve("mailroot/pop3/failed");
            assertThat(failed.resolve(corrupt.getFileName())).exists();
            assertThat(Files.readString(failed.resolve(corrupt.getFileName() + ".reason"))).contains("not a message");
            assertThat(incoming).isEmptyDirectory();
        }
    }

    @Test
    void aMessageTheServerCannotSendStaysThereWhileTheOthersArrive() throws Exception {
        // GreenMail always sends what it holds; this peer answers -ERR to RETR of uid-2, as a damaged store does
        try (FaultyPop3Server faulty = new FaultyPop3Server("frank", "pw", java.util.Set.of("uid-2"))) {
            faulty.deliver("uid-1", "From: a@example.org\r\nSubject: before\r\n\r\nx\r\n");
            faulty.deliver("uid-2", "From: a@example.org\r\nSubject: unreadable\r\n\r\nx\r\n");
            faulty.deliver("uid-3", "From: a@example.org\r\nSubject: after\r\n\r\nx\r\n");
            accounts("accounts:\n  - name: frank-isp\n    host: 127.0.0.1\n    port: " + faulty.port()
                    + "\n    user: frank\n    password: pw\n    mailbox: frank\n    intervalMinutes: 600\n");
            try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> !logs.containing("MR5002 account frank-isp").isEmpty());
                assertThat(logs.containing("MR5002").get(0).getFormattedMessage())
                        .endsWith("account frank-isp: downloaded 2, transferred 2, failed 1");
                assertThat(logs.containing("MR5010")).singleElement().satisfies(e -> {
                    assertThat(e.getLevel().toString()).isEqualTo("WARN");
                    assertThat(e.getFormattedMessage()).contains("account frank-isp", "message 2 (UIDL uid-2)", "-ERR",
                            "stays on the server");
                });
                delivered(server, "frank", 2);
                String both = Files.readString(server.newMail("frank").get(0)) + Files.readString(server.newMail("frank").get(1));
                assertThat(both).contains("Subject: before", "Subject: after").doesNotContain("unreadable");
                assertThat(faulty.uids()).containsExactly("uid-2");

                // the next run tries it again, and still nothing else is held up or lost
                assertThat(run("retrieve", "--home", home.toString())).startsWith("0\n")
                        .contains("account frank-isp: downloaded 0, transferred 0, failed 1");
                assertThat(faulty.uids()).containsExactly("uid-2");
                assertThat(home.resolve("mailroot/pop3/incoming")).isEmptyDirectory();
                assertThat(server.newMail("frank")).hasSize(2);
            }
        }
    }

    @Test
    void aCrashBetweenDownloadAndHandOffLosesNothingAndDeliversOnce() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: in flight\r\n\r\nthe body\r\n");
        // what the server held: its UIDL and bytes, as the connector saved them before the crash
        Store store = Session.getInstance(new Properties()).getStore("pop3");
        store.connect("127.0.0.1", pop3Port(), "carol", "secret");
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        Message m = inbox.getMessage(1);
        String uid = (String) inbox.getClass().getMethod("getUID", Message.class).invoke(inbox, m);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        m.writeTo(bytes);
        inbox.close(false);
        store.close();
        accounts(carol(""));
        Path incoming = Files.createDirectories(home.resolve("mailroot/pop3/incoming"));
        Files.write(incoming.resolve("carol-isp." + HexFormat.of().formatHex(uid.getBytes(StandardCharsets.UTF_8)) + ".eml"),
                bytes.toByteArray());
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(delivered(server, "carol", 1)).contains("Subject: in flight", "the body");
            await().atMost(Duration.ofSeconds(10)).until(() -> remoteCount("carol", "secret") == 0);
            assertThat(run("retrieve", "--home", home.toString())).contains("downloaded 0");
            assertThat(server.newMail("carol")).hasSize(1);
        }
    }

    @Test
    void connectorMailPassesTheSameSinksAsSmtpMail() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: checked\r\n\r\nx\r\n");
        accounts(carol(""));
        Files.copy(STAMP, plugins().resolve("stamp.jar"));
        Files.createDirectories(home.resolve("conf"));
        new BindingStore(home.resolve("conf/bindings.yaml")).update(r -> r.with(new Binding(Binding.newId(), "check all",
                Events.ON_SUBMISSION, "dev.mailroot.stamp.StampSink", true, "RCPT TO=*", 100,
                Map.of("header", "X-Checked", "value", "yes"))));
        try (TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(delivered(server, "carol", 1)).contains("X-Checked: yes", "Subject: checked");
        }
    }

    @Test
    void pop3CheckIsTheTelnetTestDoneForYouEvenWithTheServerStopped() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: waiting\r\n\r\nx\r\n");
        accounts(carol("") + "  - name: shop-typo\n    host: 127.0.0.1\n    port: " + pop3Port()
                + "\n    user: shop\n    password: wrong\n    mailbox: shop\n");
        String good = run("pop3-check", "--home", home.toString(), "--account", "carol-isp");
        assertThat(good).startsWith("0\n").contains("account carol-isp: carol at 127.0.0.1:" + pop3Port() + " (none)",
                "banner:   +OK", "USER:     +OK", "PASS:     +OK", "STAT:     +OK 1 ", "QUIT:     +OK",
                "verdict:  OK: 1 message(s)").doesNotContain("secret");
        String bad = run("pop3-check", "--home", home.toString(), "--account", "shop-typo");
        assertThat(bad).startsWith("1\n").contains("PASS:     -ERR", "QUIT:     +OK", "verdict:  FAILED: login refused")
                .doesNotContain("STAT");
        assertThat(run("pop3-check", "--home", home.toString())).startsWith("1\n")
                .contains("account carol-isp", "verdict:  OK", "account shop-typo", "verdict:  FAILED: login refused");
        assertThat(remoteCount("carol", "secret")).isEqualTo(1);
        String noPlugin = run("pop3-check", "--home", home.resolve("elsewhere").toString());
        assertThat(noPlugin).startsWith("3\n").contains("no plugin 'pop3-connector'");
    }

    @Test
    void aStarttlsAccountNeverLogsInWithoutTls() throws Exception {
        // GreenMail 2.1 has no STLS: this shows the refusal; the successful upgrade is not tested here
        deliver("carol", "From: a@example.org\r\nSubject: private\r\n\r\nx\r\n");
        accounts(carol("").replace("name: carol-isp", "name: carol-tls").replace("user: carol", "security: starttls\n    user: carol"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR5006").isEmpty());
            assertThat(logs.containing("MR5006").get(0).getFormattedMessage())
                    .contains("account carol-tls", "no STARTTLS with 127.0.0.1:" + pop3Port() + " (starttls), so the password was not sent",
                            "STLS required but not supported");
            String check = run("pop3-check", "--home", home.toString());
            assertThat(check).startsWith("1\n").contains("(starttls)", "STLS:     -ERR",
                    "verdict:  FAILED: the server refused STARTTLS").doesNotContain("USER:", "PASS:");
            assertThat(remoteCount("carol", "secret")).isEqualTo(1);
            assertThat(server.newMail("carol")).isEmpty();
        }
    }

    @Test
    void anSslAccountRetrievesOverPop3s() throws Exception {
        GreenMail secure = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[]{ServerSetupTest.POP3S}));
        secure.start();
        try {
            secure.setUser("erin@example.net", "erin", "pw").deliver(
                    GreenMailUtil.newMimeMessage("From: a@example.org\r\nSubject: over tls\r\n\r\nx\r\n"));
            accounts("accounts:\n  - name: tls\n    host: 127.0.0.1\n    port: " + secure.getPop3s().getPort()
                    + "\n    security: ssl\n    sslTrust: \"*\"\n    user: erin\n    password: pw\n    mailbox: erin\n"
                    + "    intervalMinutes: 600\n");
            try (TestServer server = TestServer.startWithPlugins(home, "")) {
                assertThat(delivered(server, "erin", 1)).contains("Subject: over tls");
            }
            assertThat(run("pop3-check", "--home", home.toString())).startsWith("0\n").contains("(ssl)", "verdict:  OK");
        } finally {
            secure.stop();
        }
    }
}
