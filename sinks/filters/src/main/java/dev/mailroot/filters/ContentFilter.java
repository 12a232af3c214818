package dev.mailroot.filters;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.protocol.EndOfData;
import dev.mailroot.sink.protocol.OnEndOfDataSink;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.SmtpReply;
import dev.mailroot.sink.protocol.Verdict;
import org.pf4j.Extension;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The Intelligent Message Filter's job, done by a real engine (rspamd or SpamAssassin's spamd):
 * the message is scanned before the final reply and refused ({@code rejectScore}, or rspamd's own
 * {@code reject}), quarantined ({@code quarantineScore}) or tagged with {@code X-Spam-*} fields
 * ({@code tagScore}). A message larger than {@code maxScanSize} is not sent to the engine; it passes
 * with a note and a header saying so. An engine that cannot be reached or does not answer within
 * {@code timeoutMs} makes the call fail, and the binding's {@code onError} decides (fail open with
 * {@code continue}, {@code 451 4.7.1} with {@code tempfail}).
 */
@Extension
@DefaultBinding(id = "{5F571B09-5251-48CA-BECB-39E6A205B712}", name = "Content Filter", priority = 20000, enabled = false)
public final class ContentFilter implements OnEndOfDataSink {
    /** The header a message too large to scan gets. */
    public static final String NOT_SCANNED = "X-Mailroot-Content-Filter";
    /** The fields this filter writes; removed from every scanned message first, so none is forged. */
    static final java.util.List<String> SPAM_FIELDS = java.util.List.of("X-Spam-Flag", "X-Spam-Score", "X-Spam-Status",
            "X-Spam-Symbols");

    private final Supplier<Filters> filters;

    /** The sink the server makes: the filters in force ({@code conf/filters.yaml}). */
    public ContentFilter() {
        this(CurrentFilters.supplier());
    }

    ContentFilter(Supplier<Filters> filters) {
        this.filters = filters;
    }

    @Override
    public Verdict onEndOfData(ProtocolSession session, EndOfData message, SinkContext context) throws Exception {
        Filters f = filters.get();
        FiltersConfig.Content c = f.config().content();
        if (f.engine() == null) {
            return Verdict.proceed();
        }
        byte[] content = read(message, c.maxScanSize());
        if (content == null) {
            String why = "not scanned: " + message.size() + " bytes, over maxScanSize " + c.maxScanSize();
            session.notes().put(FilterNotes.SPAM_VERDICT, why);
            message.addHeader(NOT_SCANNED, why);
            context.logger().info("MR2107 message {} {}", session.sessionId(), why);
            return Verdict.proceed();
        }
        Scan scan = f.engine().scan(session, message, content);
        // the verdict is ours to state: fields a sender forged ("X-Spam-Flag: NO") never reach a mailbox
        for (String forged : SPAM_FIELDS) {
            message.removeHeaders(forged);
        }
        session.notes().put(FilterNotes.SPAM_SCORE, scan.score());
        String score = format(scan.score());
        if (scan.engineRejects() || reached(scan.score(), c.rejectScore())) {
            session.notes().put(FilterNotes.SPAM_VERDICT, "reject");
            context.logger().info("MR2106 message {} refused as spam: score {} ({}{})", session.sessionId(), score, scan.engine(),
                    scan.action().map(a -> " action " + a).orElse(""));
            return Verdict.reject(reply(c, scan));
        }
        boolean tag = reached(scan.score(), c.tagScore());
        if (tag) {
            tag(message, scan, c);
        }
        if (reached(scan.score(), c.quarantineScore())) {
            session.notes().put(FilterNotes.SPAM_VERDICT, "quarantine");
            context.logger().info("MR2106 message {} quarantined: score {} ({})", session.sessionId(), score, scan.engine());
            return Verdict.quarantine("spam score " + score + " at or above quarantineScore "
                    + format(c.quarantineScore().getAsDouble()) + " (" + scan.engine() + ")");
        }
        session.notes().put(FilterNotes.SPAM_VERDICT, tag ? "tag" : "pass");
        if (tag) {
            context.logger().info("MR2106 message {} tagged as spam: score {} ({})", session.sessionId(), score, scan.engine());
        }
        return Verdict.proceed();
    }

    /** The message's bytes, or null if it is larger than {@code max} (read no further than that). */
    private static byte[] read(EndOfData message, long max) throws IOException {
        if (message.size() > max) {
            return null;
        }
        try (InputStream in = message.content()) {
            byte[] bytes = in.readNBytes((int) max + 1);
            return bytes.length > max ? null : bytes;
        }
    }

    private static void tag(EndOfData message, Scan scan, FiltersConfig.Content c) {
        String score = format(scan.score());
        message.addHeader("X-Spam-Flag", "YES");
        message.addHeader("X-Spam-Score", score);
        message.addHeader("X-Spam-Status", "Yes, score=" + score + " required=" + format(c.tagScore().getAsDouble())
                + " engine=" + scan.engine() + scan.action().map(a -> " action=" + ReplyTemplate.printable(a)).orElse(""));
        if (!scan.symbols().isEmpty()) {
            message.addHeader("X-Spam-Symbols", ReplyTemplate.printable(String.join(", ", scan.symbols())));
        }
    }

    /** The configured reply, with rspamd's {@code smtp_message} after it when there is one and the line allows it. */
    private static SmtpReply reply(FiltersConfig.Content c, Scan scan) {
        SmtpReply configured = c.reply().reply(Map.of());
        if (scan.smtpMessage().isEmpty() || scan.smtpMessage().get().isBlank()) {
            return configured;
        }
        try {
            return SmtpReply.of(configured.code(), configured.enhanced(), configured.text() + " (" + scan.smtpMessage().get().strip() + ")");
        } catch (IllegalArgumentException e) {
            return configured; // not printable ASCII, or too long: the configured reply alone
        }
    }

    private static boolean reached(double score, OptionalDouble threshold) {
        return threshold.isPresent() && score >= threshold.getAsDouble();
    }

    static String format(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }
}
