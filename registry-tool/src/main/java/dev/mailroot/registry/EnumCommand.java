package dev.mailroot.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.Events;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "enum", aliases = "/enum", mixinStandardHelpOptions = true, description = "Lists every binding, per event in the order the "
        + "events fire (OnConnect, OnHelo, OnAuth, OnMailFrom, OnRcptTo, OnEndOfData, then OnSubmission) and in run order within one, "
        + "in smtpreg's /enum shape, with its status: the running server's (whether its sink is loaded now), or, when no "
        + "server runs, what the files say. The first line says which.",
        footer = {"", "Example:", "  registry enum --home /srv/mailroot", "  registry enum --json | jq '.[] | select(.status != \"ok\")'"})
final class EnumCommand implements Callable<Integer> {
    /** The order bindings fire in: by event as a message meets them ({@link Events#ALL}), then run order. */
    static final Comparator<Binding> FIRING_ORDER = Comparator.<Binding>comparingInt(b -> Events.ALL.indexOf(b.event()))
            .thenComparing(Binding.RUN_ORDER);

    @Mixin
    HomeOption home;
    @Option(names = "--json", description = "Print a JSON array for scripts.")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BindingRegistry registry = home.read();
        Catalog catalog = new Catalog(home.jars());
        ServerView server = ServerView.of(home.root());
        List<Binding> ordered = registry.bindings().stream().sorted(FIRING_ORDER).toList();
        if (json) {
            ArrayNode a = Format.array();
            for (Binding b : ordered) {
                Optional<String> live = server.bindingStatus(b.id());
                a.add(Format.json(b, live.orElseGet(() -> catalog.status(b))).put("statusFrom", live.isPresent() ? "server" : "files"));
            }
            Format.print(spec.commandLine().getOut(), a);
            return 0;
        }
        Terminal out = Terminal.of(spec);
        out.println(server.source());
        for (String event : Events.ALL) {
            List<Binding> bound = ordered.stream().filter(b -> b.event().equals(event)).toList();
            if (bound.isEmpty() && Events.isVerdict(event)) {
                continue; // OnSubmission is always listed, as before the protocol events existed
            }
            out.println(" -------------");
            out.println("| Event Type  |");
            out.println(" -------------");
            out.println("    Name: " + displayName(event));
            out.println("    Bindings: " + bound.size() + ", in run order");
            for (Binding b : bound) {
                Format.binding(out, b, server.bindingStatus(b.id()).orElseGet(() -> catalog.status(b)
                        + (server.running() ? " (not yet read by the running server)" : "")));
            }
        }
        return 0;
    }

    /** The event's name and what an IIS or Exchange administrator knows it as (the names {@code add} accepts). */
    static String displayName(String event) {
        return event + switch (event) {
            case Events.ON_CONNECT -> " (Exchange: OnConnectEvent; before the greeting)";
            case Events.ON_HELO -> " (IIS: SMTP Protocol OnInboundCommand, rule EHLO or HELO; Exchange: OnEhloCommand, OnHeloCommand)";
            case Events.ON_AUTH -> " (IIS: SMTP Protocol OnInboundCommand, rule AUTH; Exchange: OnAuthCommand; after a right password)";
            case Events.ON_MAIL_FROM -> " (IIS: SMTP Protocol OnInboundCommand, rule MAIL; Exchange: OnMailCommand)";
            case Events.ON_RCPT_TO -> " (IIS: SMTP Protocol OnInboundCommand, rule RCPT; Exchange: OnRcptCommand)";
            case Events.ON_END_OF_DATA -> " (IIS: SMTP Protocol OnInboundCommand, rule DATA; Exchange: OnEndOfData)";
            case Events.ON_REMOTE_DELIVERY -> " (Mailroot transport event: before each outbound attempt, per destination)";
            default -> " (IIS: SMTP OnTransportSubmission/OnArrival)";
        };
    }
}
