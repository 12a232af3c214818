package dev.mailroot.filters;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.protocol.OnRcptToSink;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.RcptToCommand;
import dev.mailroot.sink.protocol.Verdict;
import org.pf4j.Extension;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Exchange 2003's recipient filter: a RCPT TO address on the blocked list is refused, and with
 * {@code rejectUnknown: true} so is one that is not a known mailbox ({@link RcptToCommand#known()}),
 * which stops a directory harvest before it learns anything. Only that recipient is refused; the
 * transaction goes on with the others.
 */
@Extension
@DefaultBinding(id = "{2485EF33-9FC4-44BB-96AF-97D3D63309E3}", name = "Recipient Filter", priority = 100, enabled = false)
public final class RecipientFilter implements OnRcptToSink {
    private final Supplier<Filters> filters;

    /** The sink the server makes: the filters in force ({@code conf/filters.yaml}). */
    public RecipientFilter() {
        this(CurrentFilters.supplier());
    }

    RecipientFilter(Supplier<Filters> filters) {
        this.filters = filters;
    }

    @Override
    public Verdict onRcptTo(ProtocolSession session, RcptToCommand command, SinkContext context) {
        FiltersConfig.Recipient c = filters.get().config().recipient();
        String rcpt = command.recipient();
        Optional<AddressPattern> blocked = c.blocked().stream().filter(p -> p.matches(rcpt)).findFirst();
        if (blocked.isPresent()) {
            context.logger().info("MR2105 recipient <{}> refused: blocked ({})", rcpt, blocked.get());
            return Verdict.reject(c.reply().reply(Map.of("rcpt", rcpt)));
        }
        // the directory check is an SMTP defence (harvesting, backscatter): pickup and connector mail
        // carries recipients the local system chose (the POP3 connector's mspop3connector.<box> ones)
        if (c.rejectUnknown() && session.isSmtp() && !command.known()) {
            context.logger().info("MR2105 recipient <{}> refused: not a known mailbox", rcpt);
            return Verdict.reject(c.unknownReply().reply(Map.of("rcpt", rcpt)));
        }
        return Verdict.proceed();
    }
}
