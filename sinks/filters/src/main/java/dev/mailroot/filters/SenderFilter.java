package dev.mailroot.filters;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.protocol.EndOfData;
import dev.mailroot.sink.protocol.MailFromCommand;
import dev.mailroot.sink.protocol.OnEndOfDataSink;
import dev.mailroot.sink.protocol.OnMailFromSink;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.Verdict;
import org.pf4j.Extension;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Exchange 2003's sender filter: a MAIL FROM address on the blocked list (exact, or a pattern such
 * as {@code *@example.net}), or the null sender {@code <>} when {@code blockBlank} is on, is refused
 * ({@code action: reject}) or tagged ({@code action: tag}): the reason is noted on the session, and
 * this class's OnEndOfData binding adds {@code X-Mailroot-Sender-Filter: <reason>} to the message.
 * Each MAIL FROM decides afresh, so a tag never carries over to the next transaction.
 */
@Extension
@DefaultBinding(id = "{CDF3A731-409C-4B50-AF77-0846C6CA3C3F}", event = "OnMailFrom", name = "Sender Filter",
        priority = 100, enabled = false)
@DefaultBinding(id = "{3D4EEF85-DD4F-45EE-BF39-CD84267D03C9}", event = "OnEndOfData", name = "Sender Filter Tag",
        priority = 100, enabled = false)
public final class SenderFilter implements OnMailFromSink, OnEndOfDataSink {
    /** The header a tagged message gets. */
    public static final String HEADER = "X-Mailroot-Sender-Filter";

    private final Supplier<Filters> filters;

    /** The sink the server makes: the filters in force ({@code conf/filters.yaml}). */
    public SenderFilter() {
        this(CurrentFilters.supplier());
    }

    SenderFilter(Supplier<Filters> filters) {
        this.filters = filters;
    }

    @Override
    public Verdict onMailFrom(ProtocolSession session, MailFromCommand command, SinkContext context) {
        session.notes().remove(FilterNotes.SENDER.name());
        FiltersConfig.Sender c = filters.get().config().sender();
        Optional<String> why = command.isNullSender()
                ? (c.blockBlank() ? Optional.of("blank sender <> is blocked") : Optional.empty())
                : c.blocked().stream().filter(p -> p.matches(command.sender())).findFirst()
                .map(p -> "sender <" + command.sender() + "> is blocked (" + p + ")");
        if (why.isEmpty()) {
            return Verdict.proceed();
        }
        String reason = ReplyTemplate.printable(why.get());
        if (c.action() == FiltersConfig.SenderAction.TAG) {
            session.notes().put(FilterNotes.SENDER, reason);
            context.logger().info("MR2104 {}: tagged", reason);
            return Verdict.proceed();
        }
        context.logger().info("MR2104 {}: refused", reason);
        return Verdict.reject(c.reply().reply(Map.of("sender", command.sender())));
    }

    @Override
    public Verdict onEndOfData(ProtocolSession session, EndOfData message, SinkContext context) {
        session.notes().get(FilterNotes.SENDER).ifPresent(reason -> message.addHeader(HEADER, reason));
        return Verdict.proceed();
    }
}
