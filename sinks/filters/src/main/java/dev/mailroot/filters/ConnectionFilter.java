package dev.mailroot.filters;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.protocol.OnConnectSink;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.Verdict;
import org.pf4j.Extension;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Exchange 2003's connection filter: the client's address against the allow list (accepted: later
 * OnConnect sinks do not run), the deny list (refused), then the DNS block lists (refused with the
 * zone's reply, or only noted). Mail without a client address (pickup) passes. A block list that
 * cannot be asked in time makes the call fail, and the binding's {@code onError} decides.
 */
@Extension
@DefaultBinding(id = "{2EDEAEBB-7B6F-435E-A11F-C7CC3992F69B}", name = "Connection Filter", priority = 100, enabled = false)
public final class ConnectionFilter implements OnConnectSink {
    private final Supplier<Filters> filters;

    /** The sink the server makes: the filters in force ({@code conf/filters.yaml}). */
    public ConnectionFilter() {
        this(CurrentFilters.supplier());
    }

    ConnectionFilter(Supplier<Filters> filters) {
        this.filters = filters;
    }

    @Override
    public Verdict onConnect(ProtocolSession session, SinkContext context) throws Exception {
        Optional<InetAddress> client = session.clientAddress();
        if (client.isEmpty()) {
            return Verdict.proceed();
        }
        InetAddress ip = client.get();
        Filters f = filters.get();
        FiltersConfig.Connection c = f.config().connection();
        Optional<Cidr> allowed = first(c.allow(), ip);
        if (allowed.isPresent()) {
            session.notes().put(FilterNotes.ALLOWED, allowed.get().toString());
            return Verdict.accept();
        }
        Optional<Cidr> denied = first(c.deny(), ip);
        if (denied.isPresent()) {
            context.logger().info("MR2103 connection from {} refused: deny list {}", ip.getHostAddress(), denied.get());
            return Verdict.reject(c.denyReply().reply(Map.of("ip", ip.getHostAddress())));
        }
        if (!f.dnsbl().active()) {
            return Verdict.proceed();
        }
        List<Dnsbl.Listing> listed = f.dnsbl().check(ip);
        if (listed.isEmpty()) {
            return Verdict.proceed();
        }
        Dnsbl.Listing first = listed.stream().filter(l -> l.zone().action() == FiltersConfig.ZoneAction.REJECT).findFirst()
                .orElse(listed.get(0));
        session.notes().put(FilterNotes.DNSBL, first.zone().zone());
        session.notes().put(FilterNotes.DNSBL_CODE, first.code());
        if (first.zone().action() == FiltersConfig.ZoneAction.NOTE) {
            context.logger().info("MR2103 connection from {} listed by {} ({}): noted", ip.getHostAddress(), first.zone().zone(), first.code());
            return Verdict.proceed();
        }
        context.logger().info("MR2103 connection from {} refused: listed by {} ({}{})", ip.getHostAddress(), first.zone().zone(),
                first.code(), first.txt().map(t -> ", " + ReplyTemplate.printable(t)).orElse(""));
        return Verdict.reject(first.zone().reply().reply(Map.of("ip", ip.getHostAddress(), "zone", first.zone().zone(),
                "code", first.code(), "txt", first.txt().orElse(""))));
    }

    private static Optional<Cidr> first(List<Cidr> networks, InetAddress ip) {
        return networks.stream().filter(n -> n.contains(ip)).findFirst();
    }
}
