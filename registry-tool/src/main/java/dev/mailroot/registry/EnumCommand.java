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
import java.util.concurrent.Callable;

@Command(name = "enum", aliases = "/enum", mixinStandardHelpOptions = true, description = "Lists every binding, in run order per event, "
        + "in smtpreg's /enum shape, with its live status.",
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
        List<Binding> ordered = registry.bindings().stream().sorted(Binding.RUN_ORDER).toList();
        if (json) {
            ArrayNode a = Format.array();
            ordered.forEach(b -> a.add(Format.json(b, catalog.status(b))));
            Format.print(spec.commandLine().getOut(), a);
            return 0;
        }
        Terminal out = Terminal.of(spec);
        out.println(" -------------");
        out.println("| Event Type  |");
        out.println(" -------------");
        out.println("    Name: " + Events.ON_SUBMISSION + " (IIS: SMTP OnTransportSubmission/OnArrival)");
        out.println("    Bindings: " + ordered.size() + ", in run order");
        for (Binding b : ordered) {
            Format.binding(out, b, catalog.status(b));
        }
        return 0;
    }
}
