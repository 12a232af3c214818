package dev.mailroot.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.TestServer;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How {@code conf/pop3-connector.yaml}'s accounts are read and kept apart, in a real server against GreenMail. */
class Pop3AccountsIT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret")
                    .withUser("carol@isp.example", "carol-at-isp", "ispsecret"));

    @TempDir
    Path home;

    private ConnectorHome connector() {
        return new ConnectorHome(home);
    }

    private static String account(String name, String user, String password, String mailbox) {
        return "  - name: " + name + "\n    host: 127.0.0.1\n    port: " + remote.getPop3().getPort() + "\n    user: " + user
                + "\n    " + password + "\n    mailbox: " + mailbox + "\n    intervalMinutes: 600\n";
    }

    private static void deliver(String login, String raw) throws Exception {
        remote.getUserManager().getUser(login).deliver(GreenMailUtil.newMimeMessage(raw));
    }

    @Test
    void accountsWhoseNamesShareADottedPrefixKeepTheirOwnMailAndDedupAfterACrash() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: for carol\r\n\r\nx\r\n");
        deliver("carol-at-isp", "From: a@example.org\r\nSubject: in flight at the isp\r\n\r\nx\r\n");
        deliver("carol-at-isp", "From: a@example.org\r\nSubject: new at the isp\r\n\r\nx\r\n");
        connector().accounts("accounts:\n" + account("carol", "carol", "password: secret", "work")
                + account("carol.isp", "carol-at-isp", "password: ispsecret", "home"));
        // a crash between download and hand-off left the dotted account's first message in incoming
        Path incoming = Files.createDirectories(home.resolve("mailroot/pop3/incoming"));
        Store store = Session.getInstance(new Properties()).getStore("pop3");
        store.connect("127.0.0.1", remote.getPop3().getPort(), "carol-at-isp", "ispsecret");
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        Message m = inbox.getMessage(1);
        String uid = (String) inbox.getClass().getMethod("getUID", Message.class).invoke(inbox, m);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.writeTo(bytes);
        inbox.close(false);
        store.close();
        Files.write(incoming.resolve("carol.isp." + HexFormat.of().formatHex(uid.getBytes(StandardCharsets.UTF_8)) + ".eml"),
                bytes.toByteArray());

        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> logs.containing("MR5002").size() == 2);
            assertThat(logs.containing("MR5002").stream().map(e -> e.getFormattedMessage().replaceFirst("^MR5002 ", "")))
                    .containsExactlyInAnyOrder("account carol: downloaded 1, transferred 1, failed 0",
                            "account carol.isp: downloaded 1, transferred 2, failed 0");
            ConnectorHome.delivered(server, "home", 2);
            assertThat(ConnectorHome.delivered(server, "work", 1)).contains("Subject: for carol");
            String home2 = Files.readString(server.newMail("home").get(0)) + Files.readString(server.newMail("home").get(1));
            assertThat(home2).contains("Subject: in flight at the isp", "Subject: new at the isp");
            assertThat(incoming).isEmptyDirectory();
            // both downloads were deleted on the server once handed off
            assertThat(ConnectorHome.remoteCount(remote.getPop3().getPort(), "carol-at-isp", "ispsecret")).isZero();

            assertThat(connector().run("retrieve", "--home", home.toString())).startsWith("0\n")
                    .contains("account carol: downloaded 0", "account carol.isp: downloaded 0");
            assertThat(server.newMail("work")).hasSize(1);
            assertThat(server.newMail("home")).hasSize(2);
        }
    }

    @Test
    void aPasswordFileGivesItsFirstLineAndAMissingOneStopsOnlyItsAccount() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: with a password file\r\n\r\nx\r\n");
        Files.createDirectories(home.resolve("conf/secrets"));
        Files.writeString(home.resolve("conf/carol.pw"), "secret \t\r\nrotated 2026-11; the old one was hunter2\r\n");
        connector().accounts("accounts:\n" + account("carol-isp", "carol", "passwordFile: carol.pw", "carol")
                + account("gone", "carol", "passwordFile: gone.pw", "gone")
                + account("folder", "carol", "passwordFile: secrets", "folder"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(ConnectorHome.delivered(server, "carol", 1)).contains("Subject: with a password file");
            assertThat(logs.containing("MR5001").stream().map(e -> e.getFormattedMessage()))
                    .anySatisfy(l -> assertThat(l).contains("account 'gone' is not used: passwordFile gone.pw does not exist",
                            home.resolve("conf/gone.pw").toString()))
                    .anySatisfy(l -> assertThat(l).contains("account 'folder' is not used: passwordFile secrets cannot be read"));
            assertThat(logs.containing("MR5002 account carol-isp: downloaded 1, transferred 1, failed 0")).hasSize(1);
        }
        assertThat(connector().run("pop3-check", "--home", home.toString(), "--account", "carol-isp"))
                .startsWith("0\n").contains("PASS:     +OK");
    }

    @Test
    void aConfigFileThatIsNotYamlIsReportedAndTheServerKeepsRunning() throws Exception {
        deliver("carol", "From: a@example.org\r\nSubject: after the fix\r\n\r\nx\r\n");
        String good = "accounts:\n" + account("carol-isp", "carol", "password: secret", "carol");
        connector().accounts(good.replace("    user: carol\n", "    user: [carol\n"));
        try (LogCapture logs = new LogCapture(); TestServer server = TestServer.startWithPlugins(home, "")) {
            assertThat(logs.containing("MR5001")).singleElement().satisfies(e -> {
                assertThat(e.getLevel().toString()).isEqualTo("ERROR");
                assertThat(e.getFormattedMessage()).contains(home.resolve("conf/pop3-connector.yaml").toString(),
                        "(line ", "not valid YAML");
            });
            assertThat(logs.containing("MR5009 POP3 connector started: 0 account(s)")).hasSize(1);
            // the server goes on: mail dropped into pickup is delivered, and the connector answers
            Path draft = Files.writeString(home.resolve("local.eml"),
                    "x-sender: a@example.org\r\nx-receiver: dave@localhost\r\nSubject: local\r\n\r\nx\r\n");
            Files.move(draft, home.resolve("mailroot/pickup/local.eml"));
            assertThat(ConnectorHome.delivered(server, "dave", 1)).contains("Subject: local");
            assertThat(connector().run("retrieve", "--home", home.toString())).startsWith("1\n")
                    .contains("not valid YAML");

            // fixed while the server runs: retrieve reads the file again
            Files.writeString(home.resolve("conf/pop3-connector.yaml"), good);
            assertThat(connector().run("retrieve", "--home", home.toString())).startsWith("0\n")
                    .contains("account carol-isp: downloaded 1, transferred 1, failed 0");
            assertThat(ConnectorHome.delivered(server, "carol", 1)).contains("Subject: after the fix");
        }
    }
}
