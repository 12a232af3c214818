package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.Rule;
import dev.mailroot.bindings.RuleSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "add", aliases = "/add", mixinStandardHelpOptions = true, description = "Adds a binding.",
        footer = {"", "Example:",
                "  registry add OnSubmission \"Tag sales\" dev.mailroot.stamp.StampSink \"RCPT TO=sales@*\" \\",
                "      --priority 100 --prop header=X-Team --prop value=sales"})
final class AddCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(index = "0", paramLabel = "<event>", description = "OnSubmission (or the IIS names OnArrival, OnTransportSubmission).")
    String event;
    @Parameters(index = "1", paramLabel = "<name>", description = "The display name, unique per event.")
    String name;
    @Parameters(index = "2", paramLabel = "<sinkClass>", description = "The sink's class, provided by a plugin in plugins/.")
    String sinkClass;
    @Parameters(index = "3", arity = "0..1", paramLabel = "<rule>", description = "The IIS rule; none means always.")
    String rule;
    @Option(names = "--priority", paramLabel = "N", description = "0 (first) .. 32767 (last); default 24575.")
    int priority = Binding.PRIORITY_DEFAULT;
    @Option(names = "--id", paramLabel = "{GUID}", description = "The binding's id (default: a new one).")
    String id;
    @Option(names = "--disabled", description = "Add it disabled.")
    boolean disabled;
    @Option(names = "--prop", paramLabel = "k=v", description = "A sink property (repeatable).")
    List<String> props = List.of();
    @Option(names = "--force", description = "Add it even if no plugin in plugins/ provides the sink class.")
    boolean force;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BindingStoreException {
        PlainText.check("the event", event);
        PlainText.check("the name", name);
        PlainText.check("the sink class", sinkClass);
        PlainText.check("the rule", rule);
        PlainText.check("--id", id);
        props.forEach(p -> PlainText.check("--prop", p));
        BindingStore store = home.store();
        String canonicalEvent = Events.canonical(event).orElseThrow(() -> new RegistryException("unknown event '" + event
                + "' (known: OnSubmission, or the IIS names OnArrival, OnTransportSubmission, SMTP Transport OnSubmission)"));
        if (name.isBlank()) {
            throw new RegistryException("the name is empty");
        }
        try {
            Rule.parse(rule);
        } catch (RuleSyntaxException e) {
            throw new RegistryException("rule '" + rule + "' does not parse " + e.getMessage());
        }
        if (priority < Binding.PRIORITY_HIGHEST || priority > Binding.PRIORITY_LOWEST) {
            throw new RegistryException("priority " + priority + " is outside 0..32767");
        }
        if (id != null && !Binding.isGuid(id)) {
            throw new RegistryException("--id '" + id + "' is not a GUID like {66F4180A-627E-4073-8D31-51F628AA8366}");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (String p : props) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new RegistryException("--prop '" + p + "' is not name=value");
            }
            SinkPropertyCheck.check(p.substring(0, eq), p.substring(eq + 1));
            properties.put(p.substring(0, eq), p.substring(eq + 1));
        }
        if (!force && new Catalog(home.jars()).provider(sinkClass).isEmpty()) {
            throw new RegistryException("no plugin in " + home.plugins() + " provides the sink class " + sinkClass
                    + " ('registry sinks' lists them; --force adds it anyway)");
        }
        Binding binding = new Binding(id == null ? Binding.newId() : Binding.canonicalId(id), name, canonicalEvent, sinkClass,
                !disabled, rule, priority, properties);
        store.update(r -> {
            check(r, binding);
            return r.with(binding);
        });
        Terminal out = Terminal.of(spec);
        out.println("** SUCCESS **");
        out.println("Registered Binding:");
        out.println(" Event Name  :" + binding.event());
        out.println(" Display Name:" + binding.name());
        out.println(" Binding GUID:" + binding.id());
        out.println(" SinkClass   :" + binding.sinkClass());
        out.println("   Rule      :" + (binding.rule() == null ? "(none: always)" : binding.rule()));
        out.println("   Priority  :" + binding.priority() + " (0 - 32767, default: 24575)");
        out.println("   Enabled   :" + (binding.enabled() ? "True" : "False"));
        if (!properties.isEmpty()) {
            out.println("   Sink props:" + Format.props(properties));
        }
        return 0;
    }

    private static void check(BindingRegistry r, Binding b) {
        if (r.byId(b.id()).isPresent()) {
            throw new RegistryException("a binding with the id " + b.id() + " exists already");
        }
        if (r.bindings().stream().anyMatch(x -> x.event().equals(b.event()) && x.name().equals(b.name()))) {
            throw new RegistryException("a " + b.event() + " binding named '" + b.name() + "' exists already");
        }
    }
}
