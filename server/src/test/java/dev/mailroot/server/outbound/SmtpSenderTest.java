package dev.mailroot.server.outbound;

import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.outbound.MxResolver.Route;
import dev.mailroot.server.outbound.MxResolver.Target;
import dev.mailroot.server.outbound.SmtpSender.Attempt;
import dev.mailroot.server.outbound.SmtpSender.Credentials;
import dev.mailroot.server.outbound.SmtpSender.Recipient;
import dev.mailroot.server.outbound.SmtpSender.Settings;
import dev.mailroot.server.outbound.SmtpSender.TlsPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** {@link SmtpSender} against scripted SubEthaSMTP peers, a silent peer and Postfix's smtp-sink. */
class SmtpSenderTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String MESSAGE = "From: alice@mailroot.test\r\nTo: bob@example.test\r\nSubject: hello\r\n\r\nHi Bob.\r\n";

    @TempDir
    static Path dir;
    private static TestCertificates certificate;

    private final Settings settings = Settings.defaults("out.mailroot.test")
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10));

    @BeforeAll
    static void certificate() throws Exception {
        certificate = TestCertificates.generate(dir, "mx1.example.test", "dns:localhost");
    }

    private static Route route(int... ports) {
        List<Target> targets = new ArrayList<>();
        for (int port : ports) {
            targets.add(new Target("localhost", LOOPBACK, port));
        }
        return new Route("example.test", targets);
    }

    private static List<Recipient> rcpts(String... addresses) {
        return java.util.Arrays.stream(addresses).map(Recipient::of).toList();
    }

    private static MessageContent content(String text) {
        return MessageContent.of(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachRecipientGetsItsOwnReplyInOneTransactionUnderOpportunisticTls() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tls(certificate.serverContext())) {
            Attempt a = new SmtpSender(settings).send(route(peer.port()), "alice@mailroot.test",
                    rcpts("ok1@example.test", "temp1@example.test", "bad1@example.test"), content(MESSAGE));

            assertThat(a.results()).containsOnlyKeys("ok1@example.test", "temp1@example.test", "bad1@example.test");
            assertThat(a.results().values()).extracting(SmtpReply::toString).containsExactly(
                    "250 2.0.0 queued as X1",
                    "451 4.2.0 <temp1@example.test>: mailbox busy, try later",
                    "550 5.1.1 <bad1@example.test>: no such user");
            assertThat(a.results().get("temp1@example.test").transientFailure()).isTrue();
            assertThat(a.results().get("bad1@example.test").permanent()).isTrue();
            assertThat(a.tls()).isTrue();
            assertThat(a.remoteHost()).isEqualTo("mx1.example.test");
            assertThat(a.target().port()).isEqualTo(peer.port());
            assertThat(peer.commands).allMatch(line -> line.endsWith("[TLS]")).hasSize(4);
            assertThat(peer.received).singleElement().satisfies(m -> {
                assertThat(m.from()).isEqualTo("alice@mailroot.test");
                assertThat(m.recipients()).containsExactly("ok1@example.test");
            });
        }
    }

    @Test
    void aTemporaryFailureAfterTheMessageAppliesToEveryAcceptedRecipientOnly() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain()) {
            Attempt a = new SmtpSender(settings).send(route(peer.port()), "alice@mailroot.test",
                    rcpts("ok1@example.test", "bad1@example.test", "ok2@example.test"), content(MESSAGE + "FAILDATA\r\n"));

            assertThat(a.results().values()).extracting(SmtpReply::toString).containsExactly(
                    "451 4.3.0 cannot store the message now",
                    "550 5.1.1 <bad1@example.test>: no such user",
                    "451 4.3.0 cannot store the message now");
            assertThat(a.tls()).isFalse();
            assertThat(peer.received).isEmpty();
        }
    }

    @Test
    void noDataIsSentWhenEveryRecipientIsRefused() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain()) {
            Attempt a = new SmtpSender(settings).send(route(peer.port()), "alice@mailroot.test",
                    rcpts("bad1@example.test", "temp1@example.test"), content(MESSAGE));

            assertThat(a.results().values()).extracting(SmtpReply::code).containsExactly(550, 451);
            assertThat(a.transcript()).noneMatch(line -> line.equals("C: DATA")).contains("C: QUIT");
        }
    }

    @Test
    void aFailedTlsHandshakeIsRetriedInPlaintextOnTheSameHostUnderMay() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tls(TestCertificates.brokenServerContext())) {
            Attempt a = new SmtpSender(settings).send(route(peer.port()), "alice@mailroot.test",
                    rcpts("ok1@example.test"), content(MESSAGE));

            assertThat(a.results().get("ok1@example.test").positive()).isTrue();
            assertThat(a.tls()).isFalse();
            assertThat(peer.commands).allMatch(line -> line.endsWith("[plain]"));
            assertThat(peer.received).hasSize(1);
            assertThat(a.transcript()).anyMatch(line -> line.startsWith("* TLS handshake failed"))
                    .anyMatch(line -> line.startsWith("* retrying localhost"));
        }
    }

    @Test
    void aFailedTlsHandshakeUnderEncryptDefersWithoutSendingInPlaintext() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tls(TestCertificates.brokenServerContext())) {
            Attempt a = new SmtpSender(settings.withTls(TlsPolicy.ENCRYPT, false, null)).send(route(peer.port()),
                    "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));

            SmtpReply r = a.results().get("ok1@example.test");
            assertThat(r.code()).isEqualTo(451);
            assertThat(r.enhanced()).isEqualTo("4.7.5");
            assertThat(r.text()).contains("TLS handshake failed");
            assertThat(a.target()).isNull();
            assertThat(peer.commands).isEmpty();
        }
    }

    @Test
    void encryptWithVerificationTakesATrustedCertificateForTheHostAndRefusesAnotherName() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tls(certificate.serverContext());
             ScriptedPeer plain = ScriptedPeer.plain()) {
            SmtpSender verifying = new SmtpSender(settings.withTls(TlsPolicy.ENCRYPT, true, certificate.trustingContext()));

            Attempt good = verifying.send(route(peer.port()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));
            Attempt wrongName = verifying.send(new Route("example.test", List.of(new Target("mx.other.test", LOOPBACK, peer.port()))),
                    "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));
            Attempt noTls = verifying.send(route(plain.port()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));

            assertThat(good.results().get("ok1@example.test").code()).isEqualTo(250);
            assertThat(good.tls()).isTrue();
            assertThat(wrongName.results().get("ok1@example.test").toString()).startsWith("451 4.7.5 mx.other.test[");
            assertThat(noTls.results().get("ok1@example.test").toString())
                    .contains("4.7.4").contains("does not offer STARTTLS");
            assertThat(peer.received).hasSize(1);
            assertThat(plain.received).isEmpty();
        }
    }

    @Test
    void aTargetRefusingConnectionsIsSkippedForTheNextOne() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closed = s.getLocalPort();
        }
        try (ScriptedPeer peer = ScriptedPeer.plain()) {
            Attempt a = new SmtpSender(settings).send(route(closed, peer.port()), "alice@mailroot.test",
                    rcpts("ok1@example.test"), content(MESSAGE));

            assertThat(a.results().get("ok1@example.test").code()).isEqualTo(250);
            assertThat(a.target().port()).isEqualTo(peer.port());
            assertThat(a.transcript()).contains("* connecting to localhost[127.0.0.1]:" + closed, "* connection refused");
        }
    }

    @Test
    void whenNoTargetTakesAConnectionEveryRecipientIsDeferredWithTheLastFailure() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closed = s.getLocalPort();
        }
        Attempt a = new SmtpSender(settings).send(route(closed), "alice@mailroot.test",
                rcpts("ok1@example.test", "ok2@example.test"), content(MESSAGE));

        assertThat(a.results().values()).extracting(SmtpReply::toString)
                .containsOnly("451 4.4.1 localhost[127.0.0.1]:" + closed + ": connection refused");
        assertThat(a.target()).isNull();
        assertThat(a.remoteHost()).isEqualTo("localhost");
    }

    @Test
    void authPlainLogsInOverTlsAndTheTranscriptHidesThePassword() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.auth(certificate.serverContext(), "alice", "s3cret!")) {
            SmtpSender right = new SmtpSender(settings.withCredentials(new Credentials("alice", "s3cret!"), false));
            SmtpSender wrong = new SmtpSender(settings.withCredentials(new Credentials("alice", "guess"), false));

            Attempt a = right.send(route(peer.port()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));
            Attempt refused = wrong.send(route(peer.port()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));

            assertThat(a.results().get("ok1@example.test").code()).isEqualTo(250);
            assertThat(peer.received).singleElement().extracting(ScriptedPeer.Received::authUser).isEqualTo("alice");
            String secret = Base64.getEncoder().encodeToString("\0alice\0s3cret!".getBytes(StandardCharsets.UTF_8));
            assertThat(a.transcript()).contains("C: AUTH PLAIN <redacted>").noneMatch(line -> line.contains(secret));
            assertThat(refused.results().get("ok1@example.test").toString()).contains("4.7.0 ").contains("authentication failed: 535");
        }
    }

    @Test
    void credentialsAreNotSentWithoutTls() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain()) {
            Attempt a = new SmtpSender(settings.withCredentials(new Credentials("alice", "s3cret!"), false))
                    .send(route(peer.port()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));

            assertThat(a.results().get("ok1@example.test").toString())
                    .contains("4.7.0").contains("not sending credentials over a connection without TLS");
            assertThat(a.transcript()).noneMatch(line -> line.startsWith("C: AUTH"));
            assertThat(peer.received).isEmpty();
        }
    }

    @Test
    void theBodyArrivesByteExactWithDotLinesAndBareLineFeedsAsCrlfAndEightBitAnnounced() throws Exception {
        String stored = "Subject: dots\nX-Text: caf\u00e9\n\n.starts with a dot\n..two dots\n.\nbare LF above\r\nlast line";
        String expected = "Subject: dots\r\nX-Text: caf\u00e9\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nbare LF above\r\nlast line\r\n";
        try (ScriptedPeer peer = ScriptedPeer.plain()) {
            Attempt a = new SmtpSender(settings).send(route(peer.port()), "", rcpts("ok1@example.test"), content(stored));

            assertThat(a.results().get("ok1@example.test").code()).isEqualTo(250);
            assertThat(peer.received).singleElement().satisfies(m -> {
                assertThat(m.data()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
                assertThat(m.from()).isEmpty();
            });
            assertThat(peer.commands.get(0)).startsWith("MAIL FROM:<> SIZE=" + stored.getBytes(StandardCharsets.UTF_8).length)
                    .contains(" BODY=8BITMIME");
        }
    }

    @Test
    void aMessageLargerThanThePeerAdvertisesFailsWithoutBeingSent() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain(50)) {
            Attempt a = new SmtpSender(settings).send(route(peer.port()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));

            assertThat(a.results().get("ok1@example.test").toString())
                    .isEqualTo("552 5.3.4 message size " + MESSAGE.length() + " exceeds the limit of localhost (50 bytes)");
            assertThat(peer.commands).isEmpty();
        }
    }

    @Test
    void aPeerThatNeverGreetsIsGivenUpWithinTheCommandTimeLimit() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, LOOPBACK)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.start();
            SmtpSender impatient = new SmtpSender(settings.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(700), Duration.ofSeconds(2)));

            long start = System.nanoTime();
            Attempt a = impatient.send(route(silent.getLocalPort()), "alice@mailroot.test", rcpts("ok1@example.test"), content(MESSAGE));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            SmtpReply r = a.results().get("ok1@example.test");
            assertThat(r.code()).isEqualTo(451);
            assertThat(r.enhanced()).isEqualTo("4.4.1");
            assertThat(r.text()).contains("timed out").contains("greeting");
            assertThat(millis).as("gave up after %d ms", millis).isLessThan(5000);
            silent.close();
            acceptor.join(2000);
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aConnectionLostAfterTheRecipientsDefersTheAcceptedOnesAndKeepsTheRefusedOnesReply() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOOPBACK)) {
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    var out = s.getOutputStream();
                    out.write("220 flaky.example.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (String line; (line = in.readLine()) != null; ) {
                        String reply = line.startsWith("EHLO") ? "250-flaky.example.test\r\n250 8BITMIME"
                                : line.startsWith("RCPT TO:<bad") ? "550 5.1.1 no such user"
                                : line.startsWith("DATA") ? null : "250 2.0.0 ok";
                        if (reply == null) {
                            return; // drops the connection instead of answering DATA
                        }
                        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException e) {
                    // the test's assertions tell
                }
            });
            peer.start();

            Attempt a = new SmtpSender(settings).send(route(server.getLocalPort()), "alice@mailroot.test",
                    rcpts("ok1@example.test", "bad1@example.test"), content(MESSAGE));
            peer.join(5000);

            assertThat(a.results().get("ok1@example.test").toString())
                    .startsWith("451 4.4.2 localhost[127.0.0.1]:" + server.getLocalPort() + ": connection lost or timed out at DATA");
            assertThat(a.results().get("bad1@example.test").toString()).isEqualTo("550 5.1.1 no such user");
            assertThat(a.remoteHost()).isEqualTo("flaky.example.test");
        }
    }

    @Test
    void aPeerThatStopsReadingTheMessageIsGivenUpWithinTheDataTimeLimit() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOOPBACK)) {
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    var out = s.getOutputStream();
                    out.write("220 stuck.example.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (String line; (line = in.readLine()) != null; ) {
                        boolean data = line.startsWith("DATA");
                        out.write((data ? "354 go ahead\r\n" : "250 ok\r\n").getBytes(StandardCharsets.US_ASCII));
                        if (data) {
                            done.await(); // reads nothing more until the test ends
                            return;
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // the test's assertions tell
                }
            });
            peer.start();
            byte[] big = new byte[64 << 20];
            java.util.Arrays.fill(big, (byte) 'x');
            for (int i = 999; i < big.length; i += 1000) {
                big[i] = '\n';
            }
            SmtpSender impatient = new SmtpSender(settings.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1)));

            long start = System.nanoTime();
            Attempt a = impatient.send(route(server.getLocalPort()), "alice@mailroot.test", rcpts("ok1@example.test"), MessageContent.of(big));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            done.countDown();
            peer.join(5000);

            assertThat(a.results().get("ok1@example.test").toString()).startsWith("451 4.4.2 ")
                    .contains("at the message").contains("timed out sending the message");
            assertThat(millis).as("gave up after %d ms", millis).isLessThan(10_000);
        }
    }

    @Test
    void smtpSinkGetsNotifyAndOrcptBecauseItAdvertisesDsn(@TempDir Path tmp) throws Exception {
        Path sink = Path.of("/usr/sbin/smtp-sink");
        assumeThat(Files.isExecutable(sink)).as("Postfix's smtp-sink (Debian package postfix)").isTrue();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            port = s.getLocalPort();
        }
        Path log = tmp.resolve("sink.log");
        List<String> command = new ArrayList<>(List.of(sink.toString(), "-v"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("127.0.0.1:" + port, "10"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Socket s = new Socket(LOOPBACK, port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            Attempt a = new SmtpSender(settings).send(route(port), "alice@mailroot.test",
                    List.of(new Recipient("bob@example.test", "FAILURE,DELAY", "rfc822;bob+list@example.test"),
                            new Recipient("carol@example.test", "never", "carol=x@example.test")),
                    content(MESSAGE));

            assertThat(a.results().values()).extracting(SmtpReply::toString).containsOnly("250 2.0.0 Ok");
            assertThat(a.transcript()).contains(
                    "C: RCPT TO:<bob@example.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob+list@example.test",
                    "C: RCPT TO:<carol@example.test> NOTIFY=NEVER ORCPT=rfc822;carol+3Dx@example.test");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readString(log))
                    .contains("RCPT TO:<bob@example.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob+list@example.test")
                    .contains("RCPT TO:<carol@example.test> NOTIFY=NEVER ORCPT=rfc822;carol+3Dx@example.test"));
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void dsnParametersAreLeftOutForAPeerThatDoesNotAdvertiseDsn() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.plain()) {
            new SmtpSender(settings).send(route(peer.port()), "alice@mailroot.test",
                    List.of(new Recipient("ok1@example.test", "FAILURE", "rfc822;ok1@example.test")), content(MESSAGE));

            assertThat(peer.commands).contains("RCPT TO:<ok1@example.test> [plain]");
        }
    }
}
