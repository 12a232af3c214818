package dev.mailroot.server.delivery;

import dev.mailroot.server.delivery.LmtpOutcome.Kind;
import dev.mailroot.server.message.MessageContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** {@link LmtpClient} against a real Dovecot ({@link LocalDovecot}) and against servers that misbehave. */
class LmtpClientTest {
    private static final long QUOTA = 1500;

    @RegisterExtension
    static final LocalDovecot dovecot = new LocalDovecot()
            .user("alice").user("bob").user("lf").user("cr").user("utf").user("socket").user("known")
            .user("full", QUOTA).user("roomy");

    private final LmtpClient client = new LmtpClient("mailroot.test", Duration.ofSeconds(30), Duration.ofSeconds(30));
    private ServerSocket peer;

    @AfterEach
    void closePeer() throws IOException {
        if (peer != null) {
            peer.close();
        }
    }

    private static MessageContent message(String text) {
        return MessageContent.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, LmtpOutcome> byRecipient(List<LmtpOutcome> outcomes) {
        return outcomes.stream().collect(java.util.stream.Collectors.toMap(LmtpOutcome::recipient, o -> o));
    }

    @Test
    void twoRecipientsEachGetTheMessageWithHeadersBodyAndDotLinesIntact() throws IOException {
        String body = "From: Sender <sender@example.net>\r\nSubject: two recipients\r\n\r\nfirst line\r\n"
                + ".a line starting with a dot\r\n..two dots\r\n.\r\nlast line\r\n";

        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net",
                List.of("alice@example.org", "bob@example.org"), message(body));

        assertThat(outcomes).extracting(LmtpOutcome::recipient, LmtpOutcome::code, LmtpOutcome::enhancedStatus, LmtpOutcome::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice@example.org", 250, "2.0.0", Kind.DELIVERED),
                        org.assertj.core.groups.Tuple.tuple("bob@example.org", 250, "2.0.0", Kind.DELIVERED));
        for (String user : List.of("alice", "bob")) {
            List<String> texts = dovecot.deliveredTexts(user);
            assertThat(texts).hasSize(1);
            assertThat(texts.get(0)).startsWith("Return-Path: <sender@example.net>\n")
                    .endsWith(body.replace("\r\n", "\n"));
        }
    }

    @Test
    void bareLineFeedsGoOutAsLineEndsAndAMissingLastOneIsAdded() throws IOException {
        String stored = "Subject: bare LF\nX-Check: kept\n\nline one\n.dot line\nlast line without an end";

        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net", List.of("lf@example.org"), message(stored));

        assertThat(outcomes).extracting(LmtpOutcome::kind).containsExactly(Kind.DELIVERED);
        assertThat(dovecot.deliveredTexts("lf")).singleElement().asString()
                .endsWith("\nSubject: bare LF\nX-Check: kept\n\nline one\n.dot line\nlast line without an end\n");
        assertThat(dovecot.doveadm("-f", "flow", "fetch", "-u", "lf", "hdr.x-check", "mailbox", "INBOX", "all"))
                .contains("hdr.x-check=kept");
    }

    @Test
    void aBareCarriageReturnBeforeADotCannotEndTheMessageEarly() throws IOException {
        // "\r.\r" is the SMTP-smuggling pattern: a server reading a bare CR as a line end would see the end of data
        String stored = "Subject: smuggling\r\n\r\none\r.\r\nMAIL FROM:<evil@example.com>\r\nlast\r\n";

        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net", List.of("cr@example.org"), message(stored));

        assertThat(outcomes).extracting(LmtpOutcome::kind).containsExactly(Kind.DELIVERED);
        assertThat(dovecot.deliveredTexts("cr")).singleElement().asString()
                .endsWith("\nSubject: smuggling\n\none\n.\nMAIL FROM:<evil@example.com>\nlast\n");
    }

    @Test
    void eightBitMessageArrivesUnchanged() throws IOException {
        String stored = "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n";

        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net", List.of("utf@example.org"), message(stored));

        assertThat(outcomes).extracting(LmtpOutcome::kind).containsExactly(Kind.DELIVERED);
        assertThat(dovecot.deliveredTexts("utf")).singleElement().asString().endsWith("\n\nGrüße aus Köln\n");
    }

    @Test
    void recipientOverQuotaIsRefusedWithDovecotsReplyAndTheOtherDelivered() throws IOException {
        String big = "Subject: too big for one\r\n\r\n" + ("x".repeat(78) + "\r\n").repeat(40);

        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net",
                List.of("full@example.org", "roomy@example.org"), message(big));

        Map<String, LmtpOutcome> by = byRecipient(outcomes);
        assertThat(by.get("full@example.org")).isEqualTo(new LmtpOutcome("full@example.org", 552, "5.2.2",
                "<full@example.org> Quota exceeded (mailbox for user is full)", Kind.PERMANENT));
        assertThat(by.get("roomy@example.org").kind()).isEqualTo(Kind.DELIVERED);
        assertThat(dovecot.deliveredTexts("full")).isEmpty();
        assertThat(dovecot.deliveredTexts("roomy")).singleElement().asString().contains("Subject: too big for one");
    }

    @Test
    void unknownUserIsRefusedPermanentlyAndTheOtherStillDelivered() throws IOException {
        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net",
                List.of("nosuchuser@example.org", "known@example.org"), message("Subject: s\r\n\r\nb\r\n"));

        assertThat(outcomes.get(0)).isEqualTo(new LmtpOutcome("nosuchuser@example.org", 550, "5.1.1",
                "<nosuchuser@example.org> User doesn't exist: nosuchuser@example.org", Kind.PERMANENT));
        assertThat(outcomes.get(1).kind()).isEqualTo(Kind.DELIVERED);
        assertThat(dovecot.deliveredTexts("known")).hasSize(1);
    }

    @Test
    void deliversThroughTheUnixSocket() throws IOException {
        List<LmtpOutcome> outcomes = client.deliver(UnixDomainSocketAddress.of(dovecot.socket()), "",
                List.of("socket@example.org"), message("Subject: through the socket\r\n\r\nb\r\n"));

        assertThat(outcomes).extracting(LmtpOutcome::kind).containsExactly(Kind.DELIVERED);
        assertThat(dovecot.deliveredTexts("socket")).singleElement().asString()
                .startsWith("Return-Path: <>\n").contains("Subject: through the socket\n");
    }

    @Test
    void dovecotReadsAMaildirWrittenElsewhereWithItsFoldersAndDeliversIntoIt(@TempDir Path mailroot) throws IOException {
        Path maildir = mailroot.resolve("mailboxes/box/Maildir");
        for (String folder : List.of("", ".Sent", ".Archive.2026")) {
            for (String sub : List.of("new", "cur", "tmp")) {
                Files.createDirectories(maildir.resolve(folder).resolve(sub));
            }
        }
        String written = "Subject: written by Mailroot\n\nhello\n";
        // Dovecot trusts S=: it must be the file's size
        Files.writeString(maildir.resolve("new/1.M1P1.host,S=" + written.length()), written);
        dovecot.user("box", maildir, 0);

        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "s@example.net", List.of("box@example.org"),
                message("Subject: through LMTP\r\n\r\nb\r\n"));

        assertThat(outcomes).extracting(LmtpOutcome::kind).containsExactly(Kind.DELIVERED);
        assertThat(dovecot.mailboxes("box")).containsExactlyInAnyOrder("INBOX", "Sent", "Archive", "Archive.2026");
        assertThat(dovecot.deliveredTexts("box")).hasSize(2).anySatisfy(t -> assertThat(t).startsWith("Subject: written by Mailroot\n"))
                .anySatisfy(t -> assertThat(t).contains("Subject: through LMTP\n"));
        try (var files = Files.list(maildir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("dovecot")))
                    .as("Dovecot's index and control files stay out of the Maildir").isEmpty();
        }
    }

    @Test
    void closedPortMakesEveryRecipientTemporaryWithoutWaitingOutTheTimeLimit() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }

        List<LmtpOutcome> outcomes = client.deliver(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed),
                "sender@example.net", List.of("a@example.org", "b@example.org"), message("Subject: s\r\n\r\nb\r\n"));

        // "refused", not "timed out": the failure was seen at once, not after the 30 s limit
        assertThat(outcomes).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.TEMPORARY);
            assertThat(o.code()).isZero();
            assertThat(o.enhancedStatus()).isEqualTo("4.4.1");
            assertThat(o.text()).startsWith("cannot connect to localhost[127.0.0.1]:" + closed).containsIgnoringCase("refused");
        });
    }

    @Test
    void serverThatNeverAnswersMakesEveryRecipientTemporaryAtTheReadTimeLimit() throws IOException {
        peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        LmtpClient quick = new LmtpClient("mailroot.test", Duration.ofSeconds(5), Duration.ofMillis(300));

        List<LmtpOutcome> outcomes = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> quick.deliver(
                peer.getLocalSocketAddress(), "s@example.net", List.of("a@example.org", "b@example.org"), message("b\r\n")));

        assertThat(outcomes).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.TEMPORARY);
            assertThat(o.enhancedStatus()).isEqualTo("4.4.2");
            assertThat(o.text()).startsWith("timed out waiting for the server's reply (at greeting");
        });
    }

    @Test
    void replyLostAfterTheMessageKeepsTheRepliesAlreadyReadAndMakesTheRestTemporary() throws IOException {
        peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> scriptedPeer(peer, List.of("250 2.0.0 <a@example.org> Saved")));
        server.start();

        List<LmtpOutcome> outcomes = client.deliver(peer.getLocalSocketAddress(), "s@example.net",
                List.of("a@example.org", "b@example.org"), message("Subject: s\r\n\r\nb\r\n"));

        assertThat(outcomes.get(0)).isEqualTo(new LmtpOutcome("a@example.org", 250, "2.0.0", "<a@example.org> Saved", Kind.DELIVERED));
        assertThat(outcomes.get(1).kind()).isEqualTo(Kind.TEMPORARY);
        assertThat(outcomes.get(1).text()).isEqualTo("the server closed the connection (at the reply for <b@example.org> after the message, "
                + "localhost[127.0.0.1]:" + peer.getLocalPort() + ")");
    }

    @Test
    void temporaryRefusalOfMailFromMakesEveryRecipientTemporaryWithTheServersReply() throws IOException {
        peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> scriptedPeer(peer, List.of()));
        server.start();

        List<LmtpOutcome> outcomes = client.deliver(peer.getLocalSocketAddress(), "busy@example.net",
                List.of("a@example.org", "b@example.org"), message("b\r\n"));

        assertThat(outcomes).extracting(LmtpOutcome::describe)
                .containsExactly("451 4.3.2 try later, really", "451 4.3.2 try later, really");
        assertThat(outcomes).extracting(LmtpOutcome::kind).containsOnly(Kind.TEMPORARY);
    }

    @Test
    void anAddressWithALineBreakIsNeverSentAndRefusedPermanently() throws IOException {
        List<LmtpOutcome> outcomes = client.deliver(dovecot.address(), "sender@example.net",
                List.of("alice@example.org>\r\nRCPT TO:<bob@example.org"), message("b\r\n"));

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.PERMANENT);
            assertThat(o.enhancedStatus()).isEqualTo("5.1.3");
        });
    }

    /**
     * A small LMTP peer for one connection: a 4xx (multi-line) to a sender starting with "busy",
     * otherwise 250 to everything, 354 to DATA, then the given replies after the final dot and a close.
     */
    private static void scriptedPeer(ServerSocket listener, List<String> afterDot) {
        try (Socket s = listener.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("220 fake ready\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                String reply;
                if (line.startsWith("LHLO")) {
                    reply = "250-fake\r\n250 ENHANCEDSTATUSCODES";
                } else if (line.startsWith("MAIL FROM:<busy")) {
                    reply = "451-4.3.2 try later,\r\n451 4.3.2 really";
                } else if (line.equals("DATA")) {
                    reply = "354 go on";
                } else if (line.equals(".")) {
                    for (String r : afterDot) {
                        out.write((r + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    return;
                } else if (line.startsWith("MAIL") || line.startsWith("RCPT") || line.startsWith("QUIT")) {
                    reply = "250 2.0.0 ok";
                } else {
                    continue;
                }
                out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            // the test sees what the client made of it
        }
    }
}
