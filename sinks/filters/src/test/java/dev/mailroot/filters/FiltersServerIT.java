package dev.mailroot.filters;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The filters plugin as built, in a real server, with real peers on loopback: dnsmasq as the
 * block list, rspamd as the content engine, GreenMail as the remote POP3 mailbox the bundled POP3
 * connector downloads from. The same bindings judge SMTP, pickup and connector mail.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class FiltersServerIT {
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    static final Path FILTERS_JAR = Path.of(System.getProperty("plugin.jar", "target/filters.jar"));
    static final Path POP3_JAR = Path.of(System.getProperty("pop3.jar", "../pop3-connector/target/pop3.jar"));

    static final String CONNECTION = "{2EDEAEBB-7B6F-435E-A11F-C7CC3992F69B}";
    static final String SENDER = "{CDF3A731-409C-4B50-AF77-0846C6CA3C3F}";
    static final String RECIPIENT = "{2485EF33-9FC4-44BB-96AF-97D3D63309E3}";
    static final String CONTENT = "{5F571B09-5251-48CA-BECB-39E6A205B712}";

    @RegisterExtension
    @Order(1)
    static LocalDnsbl dns = new LocalDnsbl().host("2.0.0.127.zen.test", "127.0.0.2").host("9.2.0.192.zen.test", "127.0.0.2");
    @RegisterExtension
    @Order(2)
    static LocalRspamd rspamd = new LocalRspamd(dns);
    @RegisterExtension
    @Order(3)
    static GreenMailExtension remote = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
            .withConfiguration(aConfig().withUser("carol@example.net", "carol", "secret"));

    @TempDir
    Path home;

    private TestServer start(String... enable) throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        Files.copy(FILTERS_JAR, plugins.resolve("filters.jar"));
        Files.copy(POP3_JAR, plugins.resolve("pop3-connector.jar"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/filters.yaml"), """
                connection:
                  dnsbl:
                    resolver: "%s"
                    zones: [zen.test]
                sender:
                  blocked: ["*@spam.test"]
                recipient:
                  blocked: ["ceo@localhost"]
                content:
                  engine: rspamd
                  port: %d
                """.formatted(dns.resolver(), rspamd.port()));
        Files.writeString(home.resolve("conf/pop3-connector.yaml"), "accounts:\n  - name: carol-isp\n    host: 127.0.0.1\n"
                + "    port: " + remote.getPop3().getPort() + "\n    user: carol\n    password: secret\n    mailbox: carol\n"
                + "    intervalMinutes: 600\n");
        TestServer server = TestServer.startWithPlugins(home, "");
        BindingStore store = new BindingStore(home.resolve("conf/bindings.yaml"));
        for (String id : enable) {
            store.update(r -> r.change(id, b -> b.withEnabled(true)));
        }
        // the server reads the bindings file within half a second
        Thread.sleep(1200);
        return server;
    }

    private List<Path> badmail(String suffix) throws Exception {
        Path dir = home.resolve("mailroot/badmail");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String delivered(TestServer server, String box, int count) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> server.newMail(box).size() >= count);
        return Files.readString(server.newMail(box).get(count - 1));
    }

    private static void remoteMessage(String raw) throws Exception {
        remote.getUserManager().getUser("carol").deliver(GreenMailUtil.newMimeMessage(raw));
    }

    /** An SMTP greeting read by a client connecting from {@code source} (any 127.x.y.z works on loopback). */
    private static String greetingFrom(String source, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            OutputStream out = s.getOutputStream();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return greeting;
        }
    }

    @Test
    void a_gtubeIsRefusedAtEndOfDataOverSmtpAndHamIsDelivered() throws Exception {
        try (TestServer server = start(CONTENT); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"),
                    "From: a@example.org\r\nSubject: buy now\r\n\r\n" + GTUBE + "\r\n"))
                    .startsWith("550 5.7.1 Message rejected as spam");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"),
                    "From: a@example.org\r\nSubject: lunch\r\nX-Spam-Flag: NO\r\n\r\nShall we have lunch at noon?\r\n"))
                    .startsWith("250 2.0.0");
            String ham = delivered(server, "bob", 1);
            assertThat(ham).contains("Subject: lunch").doesNotContain(GTUBE).doesNotContain("X-Spam-Flag: NO");
            assertThat(server.server().spool().size()).isZero();
        }
    }

    @Test
    void b_aGtubeDownloadedByThePop3ConnectorGoesToBadmailAndTheMailBehindItIsDelivered() throws Exception {
        remoteMessage("From: spammer@example.org\r\nTo: carol@example.net\r\nSubject: spam\r\n\r\n" + GTUBE + "\r\n");
        remoteMessage("From: alice@example.org\r\nTo: carol@example.net\r\nSubject: hello\r\n\r\nhello carol\r\n");
        try (TestServer server = start(CONTENT)) {
            assertThat(run(server, "retrieve")).startsWith("0");
            assertThat(delivered(server, "carol", 1)).contains("Subject: hello");
            await().atMost(Duration.ofSeconds(20)).until(() -> badmail(".bdr").size() == 1);
            assertThat(Files.readString(badmail(".bdr").get(0)))
                    .contains("Reason:      OnEndOfData binding 'Content Filter'", "refused: 550 5.7.1 Message rejected as spam");
            assertThat(Files.readString(badmail(".bad").get(0))).contains(GTUBE);
            assertThat(server.newMail("carol")).hasSize(1);
        }
    }

    @Test
    void c_theSameSenderFilterRefusesOverSmtpAndBadmailsPickupAndConnectorMail() throws Exception {
        remoteMessage("Return-Path: <x@spam.test>\r\nFrom: x@spam.test\r\nTo: carol@example.net\r\nSubject: via pop3\r\n\r\nx\r\n");
        try (TestServer server = start(SENDER); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.send("MAIL FROM:<x@spam.test>")).isEqualTo("550 5.1.0 Sender denied");
            Path tmp = home.resolve("mailroot/pickup/.p.tmp");
            Files.writeString(tmp, "x-sender: x@spam.test\r\nx-receiver: bob@localhost\r\nSubject: via pickup\r\n\r\nx\r\n");
            Files.move(tmp, home.resolve("mailroot/pickup/p.eml"));
            assertThat(run(server, "retrieve")).startsWith("0");
            await().atMost(Duration.ofSeconds(20)).until(() -> badmail(".bdr").size() == 2);
            for (Path bdr : badmail(".bdr")) {
                assertThat(Files.readString(bdr)).contains("Reason:      OnMailFrom binding 'Sender Filter'", "refused: 550 5.1.0 Sender denied");
            }
            String both = Files.readString(badmail(".bad").get(0)) + Files.readString(badmail(".bad").get(1));
            assertThat(both).contains("Subject: via pickup", "Subject: via pop3");
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(server.newMail("carol")).isEmpty();
        }
    }

    @Test
    void d_aDnsblListingRefusesTheConnectionAndAMissDoesNot() throws Exception {
        try (TestServer server = start(CONNECTION)) {
            assertThat(greetingFrom("127.0.0.2", server.port()))
                    .isEqualTo("554 5.7.1 Service unavailable; client [127.0.0.2] blocked using zen.test");
            assertThat(greetingFrom("127.0.0.1", server.port())).startsWith("220 ");
        }
    }

    @Test
    void e_connectorMailIsJudgedByTheAddressItCameFromAndRecipientFiltersRefuseOneRecipient() throws Exception {
        remoteMessage("Received: from mx.spam.example (mx.spam.example [192.0.2.9]) by pop.example.net; Fri, 4 Dec 2026 10:00:00 +0000\r\n"
                + "From: a@example.org\r\nTo: carol@example.net\r\nSubject: from a listed host\r\n\r\nx\r\n");
        try (TestServer server = start(CONNECTION, RECIPIENT); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            smtp.send("MAIL FROM:<a@example.org>");
            assertThat(smtp.send("RCPT TO:<ceo@localhost>")).startsWith("550 5.7.1 <ceo@localhost>");
            assertThat(smtp.send("RCPT TO:<bob@localhost>")).startsWith("250");
            assertThat(smtp.send("DATA")).startsWith("354");
            smtp.write("Subject: to two\r\n\r\nx\r\n");
            assertThat(smtp.send(".")).startsWith("250");
            delivered(server, "bob", 1);
            assertThat(run(server, "retrieve")).startsWith("0");
            await().atMost(Duration.ofSeconds(20)).until(() -> badmail(".bdr").size() == 1);
            assertThat(Files.readString(badmail(".bdr").get(0))).contains("Reason:      OnConnect binding 'Connection Filter'",
                    "client [192.0.2.9] blocked using zen.test", "via pickup");
            assertThat(server.newMail("ceo")).isEmpty();
            assertThat(server.newMail("carol")).isEmpty();
        }
    }

    /** {@code bin/mailroot connector pop3-connector <command>} against the running server, in-process: exit code first. */
    private String run(TestServer server, String command) {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new dev.mailroot.server.Main());
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(out, true));
        int exit = cli.execute(command, "--home", home.toString());
        return exit + "\n" + out;
    }
}
