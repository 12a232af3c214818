package dev.mailroot.filters;

import dev.mailroot.sink.protocol.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The content filter with a real SpamAssassin spamd. */
class ContentFilterSpamdTest {
    @RegisterExtension
    static final LocalSpamd SPAMD = new LocalSpamd();

    private static Verdict scan(FakeProtocolSession session, FakeEndOfData message) throws Exception {
        String yaml = "content: {engine: spamd, host: 127.0.0.1, port: " + SPAMD.port() + ", timeoutMs: 20000}";
        return new ContentFilter(() -> TestFilters.of(yaml)).onEndOfData(session, message, TestFilters.context());
    }

    @Test
    void gtubeIsRefused() throws Exception {
        FakeProtocolSession session = FakeProtocolSession.smtpFrom("127.0.0.1");

        Verdict v = scan(session, FakeEndOfData.message("Hello,\n" + ContentFilterRspamdTest.GTUBE + "\n"));

        assertThat(v.reply()).hasToString("550 5.7.1 Message rejected as spam");
        assertThat(session.notes().get(FilterNotes.SPAM_SCORE)).hasValueSatisfying(s -> assertThat(s).isGreaterThan(999.0));
    }

    @Test
    void hamPassesUntagged() throws Exception {
        FakeProtocolSession session = FakeProtocolSession.smtpFrom("127.0.0.1");
        FakeEndOfData message = FakeEndOfData.message("Shall we have lunch at noon?\n");

        assertThat(scan(session, message)).isEqualTo(Verdict.proceed());
        assertThat(message.added).isEmpty();
        assertThat(session.notes().get(FilterNotes.SPAM_SCORE)).hasValueSatisfying(s -> assertThat(s).isLessThan(5.0));
    }
}
