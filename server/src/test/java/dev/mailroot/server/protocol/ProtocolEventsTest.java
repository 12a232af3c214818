package dev.mailroot.server.protocol;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.LogCapture;
import dev.mailroot.server.PluginJarBuilder;
import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.plugins.TestPlugins;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The protocol events (OnConnect, OnHelo, OnMailFrom, OnRcptTo, OnEndOfData) in a running server,
 * with a real plugin jar built here, over real SMTP sessions on loopback, and for pickup mail.
 */
class ProtocolEventsTest {
    private static final String SINK = "test.sinks.ProtocolSink";
    private static final String CONTENT = "Subject: protocol test\r\nFrom: a@example.org\r\n\r\nbody\r\n";

    @TempDir
    static Path work;
    @TempDir
    Path home;

    private static Path jar;

    @BeforeAll
    static void buildPlugin() throws IOException {
        jar = PluginJarBuilder.plugin("protocol").source(SINK, TestPlugins.PROTOCOL_SINK).build(work, work.resolve("protocol.jar"));
    }

    private void bind(String name, String event, String rule, int priority, String... props) throws Exception {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < props.length; i += 2) {
            p.put(props[i], props[i + 1]);
        }
        new BindingStore(home.resolve("conf/bindings.yaml")).update(r -> r.with(new Binding(Binding.newId(), name, event, SINK,
                true, rule, priority, p)));
    }

    private TestServer start() throws Exception {
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(jar, home.resolve("plugins/protocol.jar"), StandardCopyOption.REPLACE_EXISTING);
        return TestServer.startWithPlugins(home, "");
    }

    private static String delivered(TestServer server, String mailbox, int count) throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> server.newMail(mailbox).size() >= count);
        return Files.readString(server.newMail(mailbox).get(count - 1));
    }

    private List<Path> files(String folder, String suffix) throws IOException {
        Path dir = home.resolve("mailroot").resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private void pickup(String name, String text) throws IOException {
        Path tmp = home.resolve("mailroot/pickup/." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, home.resolve("mailroot/pickup/" + name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void onConnectRefusesTheConnectionWithTheSinksReplyBeforeTheGreeting() throws Exception {
        bind("block all", "OnConnect", "SOURCE=smtp", 10, "verdict", "reject", "reply", "554 5.7.1 your network is listed");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.greeting()).isEqualTo("554 5.7.1 your network is listed");
            assertThat(smtp.closedByServer()).isTrue();
        }
    }

    @Test
    void anAllowListThatAcceptsSkipsTheLaterSinksOfTheEventOnly() throws Exception {
        bind("allow", "OnConnect", null, 10, "verdict", "accept");
        bind("deny", "OnConnect", null, 20, "verdict", "reject", "reply", "554 5.7.1 denied");
        bind("helo check", "OnHelo", "EHLO=bad.*", 10, "verdict", "reject", "reply", "550 5.7.1 bad HELO");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.greeting()).startsWith("220 ");
            assertThat(smtp.send("EHLO bad.example")).isEqualTo("550 5.7.1 bad HELO");
        }
    }

    @Test
    void aRefusedHeloIsRememberedUntilAGoodOneAndMailIsRefusedMeanwhile() throws Exception {
        bind("helo check", "OnHelo", "EHLO=bad.*", 10, "verdict", "reject", "reply", "550 5.7.1 HELO name refused");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.send("EHLO bad.example")).isEqualTo("550 5.7.1 HELO name refused");
            assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("503 5.5.1").contains("550 5.7.1");
            assertThat(smtp.send("HELO good.example")).startsWith("250");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), CONTENT)).startsWith("250 2.0.0");
            assertThat(delivered(server, "bob", 1)).contains("Subject: protocol test");
        }
    }

    @Test
    void onHeloCanDisconnect() throws Exception {
        bind("helo drop", "OnHelo", "HELO=drop.*", 10, "verdict", "disconnect", "reply", "421 4.7.0 go away");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            assertThat(smtp.send("HELO drop.example")).isEqualTo("421 4.7.0 go away");
            assertThat(smtp.closedByServer()).isTrue();
        }
    }

    @Test
    void onMailFromSeesTheSenderAndItsEsmtpParametersAndRefusesTheTransaction() throws Exception {
        bind("sender", "OnMailFrom", "MAIL FROM=*@spam.test", 10, "verdict", "reject", "reply", "550 5.7.1 sender refused {params}");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.send("MAIL FROM:<x@spam.test> BODY=8BITMIME SIZE=100"))
                    .isEqualTo("550 5.7.1 sender refused (BODY=8BITMIME, SIZE=100)");
            // the transaction was refused, not the session: the next one goes through
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), CONTENT)).startsWith("250 2.0.0");
            delivered(server, "bob", 1);
        }
    }

    @Test
    void onRcptToRefusesOneOfThreeRecipientsAndTheOtherTwoAreDelivered() throws Exception {
        bind("rcpt", "OnRcptTo", "RCPT TO=bob@*", 10, "verdict", "reject", "reply", "550 5.1.1 bob does not take mail");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.send("MAIL FROM:<a@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<alice@localhost>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<bob@localhost>")).isEqualTo("550 5.1.1 bob does not take mail");
            assertThat(smtp.send("RCPT TO:<carol@localhost>")).startsWith("250");
            assertThat(smtp.send("DATA")).startsWith("354");
            smtp.write(CONTENT);
            assertThat(smtp.send(".")).startsWith("250 2.0.0");
            delivered(server, "alice", 1);
            delivered(server, "carol", 1);
            Thread.sleep(300);
            assertThat(server.newMail("bob")).isEmpty();
        }
    }

    @Test
    void onEndOfDataRefusesTheMessageKeepsNothingAndEndsTheTransaction() throws Exception {
        bind("content", "OnEndOfData", "RCPT TO=bob@*", 10, "verdict", "reject", "reply", "554 5.7.1 message refused");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), CONTENT)).isEqualTo("554 5.7.1 message refused");
            assertThat(smtp.sendMail("a@example.org", List.of("carol@localhost"), CONTENT)).startsWith("250 2.0.0");
            delivered(server, "carol", 1);
            assertThat(server.newMail("bob")).isEmpty();
            assertThat(server.server().spool().size()).isZero();
        }
    }

    @Test
    void onEndOfDataAddsHeadersDiscardsAndQuarantines() throws Exception {
        bind("tagger", "OnEndOfData", "RCPT TO=tag@*", 10, "header", "X-Spam-Flag: YES");
        bind("dropper", "OnEndOfData", "RCPT TO=drop@*", 10, "verdict", "discard");
        bind("jailer", "OnEndOfData", "RCPT TO=jail@*", 10, "verdict", "quarantine");
        try (LogCapture logs = new LogCapture(); TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.sendMail("a@example.org", List.of("tag@localhost"), CONTENT)).startsWith("250 2.0.0");
            assertThat(delivered(server, "tag", 1)).contains("Delivered-To: tag@localhost\r\nX-Spam-Flag: YES\r\nReceived: from client.test");
            assertThat(smtp.sendMail("a@example.org", List.of("drop@localhost"), CONTENT)).startsWith("250 2.0.0");
            assertThat(smtp.sendMail("a@example.org", List.of("jail@localhost"), CONTENT)).startsWith("250 2.0.0");
            assertThat(logs.containing("MR6004")).singleElement().satisfies(e ->
                    assertThat(e.getFormattedMessage()).contains("'dropper'", "discarded by dropper"));
            List<Path> reasons = files("quarantine", ".bdr");
            assertThat(reasons).hasSize(1);
            assertThat(Files.readString(reasons.get(0))).contains("quarantined by binding 'jailer'", "jail@localhost");
            assertThat(Files.readString(files("quarantine", ".bad").get(0))).contains("x-receiver: jail@localhost",
                    "Subject: protocol test");
            Thread.sleep(300);
            assertThat(server.newMail("drop")).isEmpty();
            assertThat(server.newMail("jail")).isEmpty();
        }
    }

    @Test
    void aHangingSinkIsAnsweredPerItsPolicyWithinItsTimeLimit() throws Exception {
        Path never = work.resolve("never-" + System.nanoTime());
        bind("open", "OnRcptTo", "RCPT TO=open@*", 10, "verdict", "hang", "release", never.toString(), "timeoutMs", "400");
        bind("closed", "OnRcptTo", "RCPT TO=closed@*", 10, "verdict", "hang", "release", never.toString(), "timeoutMs", "400",
                "onError", "tempfail");
        try (LogCapture logs = new LogCapture(); TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            smtp.send("MAIL FROM:<a@example.org>");
            long t0 = System.nanoTime();
            assertThat(smtp.send("RCPT TO:<open@localhost>")).startsWith("250");
            long open = (System.nanoTime() - t0) / 1_000_000;
            t0 = System.nanoTime();
            assertThat(smtp.send("RCPT TO:<closed@localhost>")).isEqualTo("451 4.7.1 Service temporarily unavailable, try again later");
            long closed = (System.nanoTime() - t0) / 1_000_000;
            assertThat(open).isBetween(350L, 5000L);
            assertThat(closed).isBetween(350L, 5000L);
            assertThat(logs.containing("MR6002")).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("'open'", "did not finish within its time limit of 400 ms", "onError: continue"));
            assertThat(logs.containing("MR6003")).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("'closed'"));
        } finally {
            Files.writeString(never, "");
        }
    }

    @Test
    void aSinkThatThrowsReturnsNullOrAMultiLineReplyFailsOpenAndTheClientNeverSeesTheBadReply() throws Exception {
        bind("thrower", "OnRcptTo", "RCPT TO=a@*", 10, "verdict", "throw");
        bind("nuller", "OnRcptTo", "RCPT TO=b@*", 10, "verdict", "null");
        bind("liar", "OnRcptTo", "RCPT TO=c@*", 10, "verdict", "badreply");
        try (LogCapture logs = new LogCapture(); TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            smtp.send("MAIL FROM:<x@example.org>");
            assertThat(smtp.send("RCPT TO:<a@localhost>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<b@localhost>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<c@localhost>")).startsWith("250");
            assertThat(smtp.send("NOOP")).startsWith("250"); // still in step: no stray second reply
            assertThat(logs.containing("MR6002")).extracting(e -> e.getFormattedMessage())
                    .anySatisfy(m -> assertThat(m).contains("'thrower'", "boom from thrower"))
                    .anySatisfy(m -> assertThat(m).contains("'nuller'", "returned null"))
                    .anySatisfy(m -> assertThat(m).contains("'liar'", "line break"));
        }
    }

    @Test
    void theSameSenderBindingRefusesOverSmtpAndSendsPickupMailToBadmailWithTheReplyAsReason() throws Exception {
        bind("sender filter", "OnMailFrom", "MAIL FROM=*@spam.test", 10, "verdict", "reject", "reply", "550 5.7.1 Sender denied");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.sendMail("x@spam.test", List.of("bob@localhost"), CONTENT)).isEqualTo("550 5.7.1 Sender denied");
            pickup("spam.eml", "x-sender: x@spam.test\r\nx-receiver: bob@localhost\r\n" + CONTENT);
            pickup("ham.eml", "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\n" + CONTENT);
            delivered(server, "bob", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> files("badmail", ".bdr").size() == 1);
            assertThat(Files.readString(files("badmail", ".bdr").get(0)))
                    .contains("Reason:      OnMailFrom binding 'sender filter'", "refused: 550 5.7.1 Sender denied", "via pickup");
            Thread.sleep(300);
            assertThat(server.newMail("bob")).hasSize(1);
        }
    }

    @Test
    void pickupMailRunsOnRcptToPerRecipientAndSourceRulesChooseTheSources() throws Exception {
        bind("rcpt", "OnRcptTo", "RCPT TO=bob@*", 10, "verdict", "reject", "reply", "550 5.1.1 no bob here");
        bind("smtp only", "OnEndOfData", "SOURCE=smtp", 10, "header", "X-Smtp-Only: yes");
        bind("connector only", "OnEndOfData", "SOURCE=pop3-connector", 20, "header", "X-Connector: yes");
        try (TestServer server = start()) {
            pickup("three.eml", "x-sender: a@example.org\r\nx-receiver: alice@localhost\r\nx-receiver: bob@localhost\r\n"
                    + "x-receiver: carol@localhost\r\n" + CONTENT);
            pickup("conn.eml", "x-sender: a@example.org\r\nx-receiver: dave@localhost\r\nx-connector: pop3-connector\r\n"
                    + "x-connector-account: dave's box\r\nx-client-address: 192.0.2.7\r\n" + CONTENT);
            String alice = delivered(server, "alice", 1);
            delivered(server, "carol", 1);
            assertThat(alice).doesNotContain("X-Smtp-Only").doesNotContain("X-Connector");
            assertThat(delivered(server, "dave", 1)).contains("X-Connector: yes").doesNotContain("X-Smtp-Only");
            await().atMost(Duration.ofSeconds(10)).until(() -> files("badmail", ".bdr").size() == 1);
            assertThat(Files.readString(files("badmail", ".bdr").get(0))).contains("bob@localhost", "550 5.1.1 no bob here");
            assertThat(server.newMail("bob")).isEmpty();
        }
    }

    @Test
    void aTempfailingFilterKeepsPickupMailWaitingUntilItWorks() throws Exception {
        bind("broken", "OnMailFrom", null, 10, "verdict", "throw", "onError", "tempfail");
        try (LogCapture logs = new LogCapture(); TestServer server = start()) {
            pickup("wait.eml", "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\n" + CONTENT);
            await().atMost(Duration.ofSeconds(10)).until(() -> !logs.containing("MR6007").isEmpty());
            assertThat(server.server().spool().size()).isEqualTo(1);
            assertThat(server.newMail("bob")).isEmpty();
            // fixed: the binding now lets mail through; the waiting message is delivered at its next try
            BindingStore store = new BindingStore(home.resolve("conf/bindings.yaml"));
            Binding b = store.read().bindings().get(0);
            store.update(r -> r.change(b.id(), x -> x.withSinkProperties(Map.of("verdict", "proceed"))));
            await().atMost(Duration.ofSeconds(60)).until(() -> server.newMail("bob").size() == 1);
        }
    }

    @Test
    void notesSetByProtocolSinksReachTheOnSubmissionSinks() throws Exception {
        bind("dnsbl-ish", "OnConnect", null, 10, "note", "listed=zen.test");
        bind("reader", "OnSubmission", null, 10, "readNote", "listed");
        try (TestServer server = start(); SmtpClient smtp = new SmtpClient(server.port())) {
            smtp.send("EHLO client.test");
            assertThat(smtp.sendMail("a@example.org", List.of("bob@localhost"), CONTENT)).startsWith("250 2.0.0");
            assertThat(delivered(server, "bob", 1)).contains("X-Note: zen.test");
        }
    }
}
