package dev.mailroot.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.console.Browser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's POP3 connector page in a real browser, as an SBS administrator used the "POP3
 * Connector Manager": Retrieve now against a remote POP3 mailbox (GreenMail), then the message on the
 * local mailbox's page.
 */
class ConsolePop3IT {

    @RegisterExtension
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    @TempDir
    Path home;
    @TempDir
    Path browserProfile;

    @Test
    void retrieveNowFetchesTheRemoteMessageAndTheMailboxPageShowsIt() throws Exception {
        ConnectorHome connector = new ConnectorHome(home);
        connector.accounts("accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n    port: " + remote.getPop3().getPort()
                + "\n    user: carol\n    password: secret\n    mailbox: carol\n    intervalMinutes: 600\n");
        Files.writeString(home.resolve("conf/mailboxes.yaml"), "mailboxes:\n  carol: {displayName: Carol}\n");
        try (TestServer server = TestServer.startWithPlugins(home, "domains: [example.test]\nplugins: {bundled: false}\n"
                + "pickup: {settleMillis: 100, rescanSeconds: 1}\n");
             Browser browser = Browser.start(browserProfile)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> server.server().plugins().loadedPlugins().contains("pop3-connector"));
            int port = server.server().adminPort();
            browser.login(port, Files.readString(server.home().adminTokenFile()).strip());
            browser.find("#nav-pop3").click();
            WebElement account = browser.all("#accounts tbody tr").stream().filter(r -> r.getText().contains("carol-isp")).findFirst()
                    .orElseThrow(() -> new AssertionError("no account row:\n" + browser.text()));
            assertThat(account.getText()).contains("carol@127.0.0.1:" + remote.getPop3().getPort(), "every 600 min");

            remote.getUserManager().getUser("carol").deliver(GreenMailUtil.newMimeMessage(
                    "From: Dave <dave@example.net>\r\nTo: carol@example.net\r\nSubject: Invoice 4711\r\nMessage-ID: <inv4711@example.net>\r\n"
                            + "\r\nPlease find the invoice.\r\n"));
            account.findElement(By.xpath(".//button[text()='Retrieve now']")).click();
            browser.waitForText("account carol-isp: downloaded 1");
            browser.screenshot("pop3");

            await().atMost(Duration.ofSeconds(20)).until(() -> !server.newMail("carol").isEmpty());
            browser.find("#nav-mailboxes").click();
            browser.driver().findElement(By.linkText("carol")).click();
            WebElement row = browser.all("#inbox tbody tr").stream().filter(r -> r.getText().contains("Invoice 4711")).findFirst()
                    .orElseThrow(() -> new AssertionError("the retrieved message is not on the mailbox page:\n" + browser.text()));
            assertThat(row.getText()).contains("Dave <dave@example.net>");
        }
    }
}
