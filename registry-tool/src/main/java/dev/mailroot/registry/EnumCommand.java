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

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "enum", aliases = "/enum", mixinStandardHelpOptions = true, description = "Lists every binding, in run order per event, "
        + "in smtpreg's /enum shape, with its status: the running server's (whether its sink is loaded now), or, when no "
        + "server runs, what the files say. The first line says which.",
        footer = {"", "Example:", "  registry enum --home /srv/mailroot", "  registry enum --json | jq '.[] | select(.status != \"ok\")'"})
final class EnumCommand implements Callable<Integer> {
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
        List<Binding> ordered = registry.bindings().stream().sorted(Binding.RUN_ORDER).toList();
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
        out.println(" -------------");
        out.println("| Event Type  |");
        out.println(" -------------");
        out.println("    Name: " + Events.ON_SUBMISSION + " (IIS: SMTP OnTransportSubmission/OnArrival)");
        out.println("    Bindings: " + ordered.size() + ", in run order");
        for (Binding b : ordered) {
            Format.binding(out, b, server.bindingStatus(b.id()).orElseGet(() -> catalog.status(b)
                    + (server.running() ? " (not yet read by the running server)" : "")));
        }
        return 0;
    }
}
