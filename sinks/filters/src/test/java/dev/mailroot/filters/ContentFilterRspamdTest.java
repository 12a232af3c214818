package dev.mailroot.filters;

import dev.mailroot.sink.protocol.Verdict;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The content filter with a real rspamd (its DNS answered by a local dnsmasq, so its own lookups never wait). */
class ContentFilterRspamdTest {
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    // JUnit orders @RegisterExtension fields by @Order, not by declaration: the DNS server first
    @RegisterExtension
    @Order(1)
    static final LocalDnsbl DNS = new LocalDnsbl();
    @RegisterExtension
    @Order(2)
    static final LocalRspamd RSPAMD = new LocalRspamd(DNS);

    private static String engine(String more) {
        return "content:\n  engine: rspamd\n  host: 127.0.0.1\n  port: " + RSPAMD.port() + "\n  timeoutMs: 3000\n" + more;
    }

    private static Verdict scan(String yaml, FakeProtocolSession session, FakeEndOfData message) throws Exception {
        return new ContentFilter(() -> TestFilters.of(yaml)).onEndOfData(session, message, TestFilters.context());
    }

    /** A loopback client: rspamd skips its network checks, so a plain message scores about -0.1. */
    private static FakeProtocolSession local() {
        return FakeProtocolSession.smtpFrom("127.0.0.1");
    }

    @Test
    void gtubeIsRefusedWithRspamdsMessageInTheReply() throws Exception {
        FakeProtocolSession session = local();

        Verdict v = scan(engine(""), session, FakeEndOfData.message("Hello,\n" + GTUBE + "\nbye\n"));

        assertThat(v.kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(v.reply()).hasToString("550 5.7.1 Message rejected as spam (Gtube pattern)");
        assertThat(session.notes().get(FilterNotes.SPAM_VERDICT)).contains("reject");
    }

    @Test
    void hamFromALocalClientPassesUntagged() throws Exception {
        FakeProtocolSession session = local();
        FakeEndOfData message = FakeEndOfData.message("Shall we have lunch at noon?\n");

        assertThat(scan(engine(""), session, message)).isEqualTo(Verdict.proceed());
        assertThat(message.added).isEmpty();
        // whatever X-Spam-* fields a sender put in are removed: only the filter states a verdict
        assertThat(message.removed).containsExactly("X-Spam-Flag", "X-Spam-Score", "X-Spam-Status", "X-Spam-Symbols");
        assertThat(session.notes().get(FilterNotes.SPAM_VERDICT)).contains("pass");
        assertThat(session.notes().get(FilterNotes.SPAM_SCORE)).hasValueSatisfying(s -> assertThat(s).isLessThan(6.0));
    }

    @Test
    void aTagThresholdBelowTheScoreAddsTheSpamHeaders() throws Exception {
        FakeEndOfData message = FakeEndOfData.message("Shall we have lunch at noon?\n");

        assertThat(scan(engine("  tagScore: -50\n"), local(), message)).isEqualTo(Verdict.proceed());

        assertThat(message.addedHeader("X-Spam-Flag")).contains("YES");
        assertThat(message.addedHeader("X-Spam-Score").orElse("")).matches("-?\\d+\\.\\d");
        assertThat(message.addedHeader("X-Spam-Status").orElse("")).matches(
                "Yes, score=-?\\d+\\.\\d required=-50\\.0 engine=rspamd action=no action");
        assertThat(message.addedHeader("X-Spam-Symbols")).isPresent();
    }

    @Test
    void aQuarantineThresholdBelowTheScoreQuarantinesTheMessage() throws Exception {
        FakeEndOfData message = FakeEndOfData.message("Shall we have lunch at noon?\n");

        Verdict v = scan(engine("  quarantineScore: -50\n  tagScore: off\n"), local(), message);

        assertThat(v.kind()).isEqualTo(Verdict.Kind.QUARANTINE);
        assertThat(v.reason()).matches("spam score -?\\d+\\.\\d at or above quarantineScore -50\\.0 \\(rspamd\\)");
        assertThat(message.added).isEmpty();
    }

    @Test
    void anEngineNothingListensOnFailsTheCallAtOnce() throws Exception {
        int closed = LocalPeers.freeTcpPort();
        String yaml = "content: {engine: rspamd, port: " + closed + ", timeoutMs: 3000}";
        long start = System.nanoTime();

        assertThatThrownBy(() -> scan(yaml, local(), FakeEndOfData.message("hi\n")))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot be reached");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }

    @Test
    void anEngineThatNeverAnswersFailsTheCallWithinTimeoutMs() throws Exception {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = Collections.synchronizedList(new ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(hung.accept()); // accepted, read by nobody, never answered
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            String yaml = "content: {engine: rspamd, port: " + hung.getLocalPort() + ", timeoutMs: 500}";
            long start = System.nanoTime();

            assertThatThrownBy(() -> scan(yaml, local(), FakeEndOfData.message("hi\n")))
                    .isInstanceOf(IOException.class).hasMessageContaining("did not answer within 500 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(450L, 2500L);
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aMessageOverMaxScanSizeIsNeverPostedAndSaysSo() throws Exception {
        int closed = LocalPeers.freeTcpPort(); // a scan would fail: nothing listens there
        FakeProtocolSession session = local();
        FakeEndOfData message = FakeEndOfData.message("x".repeat(2000) + "\n" + GTUBE + "\n");

        Verdict v = scan("content: {engine: rspamd, port: " + closed + ", maxScanSize: 1000}", session, message);

        assertThat(v).isEqualTo(Verdict.proceed());
        assertThat(message.reads).hasValue(0);
        assertThat(message.addedHeader(ContentFilter.NOT_SCANNED)).hasValue("not scanned: " + message.size()
                + " bytes, over maxScanSize 1000");
        assertThat(session.notes().get(FilterNotes.SPAM_VERDICT)).hasValueSatisfying(n -> assertThat(n).startsWith("not scanned"));
    }

    @Test
    void figures() throws Exception {
        Filters f = TestFilters.of(engine(""));
        ContentFilter filter = new ContentFilter(() -> f);
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            long start = System.nanoTime();
            filter.onEndOfData(local(), FakeEndOfData.message("Shall we have lunch at noon? " + i + "\n"), TestFilters.context());
            micros.add((System.nanoTime() - start) / 1000);
        }
        List<Long> measured = new ArrayList<>(micros.subList(20, micros.size()));
        Collections.sort(measured);
        System.out.printf("FIGURE rspamd check of a %d-byte message from 127.0.0.1: median %d us, p90 %d us (200 checks after 20)%n",
                FakeEndOfData.message("Shall we have lunch at noon? 100\n").size(), measured.get(measured.size() / 2),
                measured.get(measured.size() * 9 / 10));
        assertThat(measured).hasSize(200);
    }
}
