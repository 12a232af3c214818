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
        footer = {"", "Examples:",
                "  registry add OnSubmission \"Tag sales\" dev.mailroot.stamp.StampSink \"RCPT TO=sales@*\" \\",
                "      --priority 100 --prop header=X-Team --prop value=sales",
                "  registry add OnRcptTo \"Check recipients\" com.example.RcptCheck \"SOURCE=smtp\" --prop onError=tempfail",
                "  registry add \"SMTP Protocol OnInboundCommand\" \"Greeting check\" com.example.HeloCheck EHLO"})
final class AddCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(index = "0", paramLabel = "<event>", description = "OnConnect, OnHelo, OnAuth, OnMailFrom, OnRcptTo, OnEndOfData or "
            + "OnSubmission (or the IIS and Exchange names: OnArrival, OnEhlo, ...); or SMTP Protocol OnInboundCommand with the "
            + "command (EHLO, MAIL, RCPT, DATA) as the rule, bound to that command's event.")
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
        Events.Mapped placed = eventAndRule();
        if (name.isBlank()) {
            throw new RegistryException("the name is empty");
        }
        try {
            Rule.parse(placed.rule());
        } catch (RuleSyntaxException e) {
            throw new RegistryException("rule '" + placed.rule() + "' does not parse " + e.getMessage());
        }
        if (priority < Binding.PRIORITY_HIGHEST || priority > Binding.PRIORITY_LOWEST) {
            throw new RegistryException("priority " + priority + " is outside 0..32767");
        }
        if (id != null && !Binding.isGuid(id)) {
            throw new RegistryException("--id '" + id + "' is not a GUID like {66F4180A-627E-4073-8D31-51F628AA8366}");
        }
        Map<String, String> properties = properties(placed.event());
        if (!force) {
            checkSinkClass(new Catalog(home.jars()), placed.event());
        }
        Binding binding = new Binding(id == null ? Binding.newId() : Binding.canonicalId(id), name, placed.event(), sinkClass,
                !disabled, placed.rule(), priority, properties);
        store.update(r -> {
            check(r, binding);
            return r.with(binding);
        });
        print(Terminal.of(spec), binding);
        return 0;
    }

    /** The canonical event and the rule; an IIS OnInboundCommand binding is mapped by the command its rule names. */
    private Events.Mapped eventAndRule() {
        if (Events.isInboundCommand(event)) {
            try {
                return Events.inboundCommand(rule);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(e.getMessage());
            }
        }
        return new Events.Mapped(Events.canonical(event).orElseThrow(() -> new RegistryException("unknown event '" + event
                + "' (known: " + Events.known() + ")")), rule);
    }

    private Map<String, String> properties(String canonicalEvent) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String p : props) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new RegistryException("--prop '" + p + "' is not name=value");
            }
            SinkPropertyCheck.check(canonicalEvent, p.substring(0, eq), p.substring(eq + 1));
            properties.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return properties;
    }

    /** Refuses a sink class no plugin provides, or one whose plugin provides it for other events only. */
    private void checkSinkClass(Catalog catalog, String canonicalEvent) {
        if (catalog.provider(sinkClass).isEmpty()) {
            throw new RegistryException("no plugin in " + home.plugins() + " provides the sink class " + sinkClass
                    + " ('registry sinks' lists them; --force adds it anyway)");
        }
        catalog.wrongEvent(sinkClass, canonicalEvent).ifPresent(why -> {
            throw new RegistryException("the sink class cannot serve " + canonicalEvent + ": " + why
                    + " ('registry sinks' lists each sink's events; --force adds it anyway)");
        });
    }

    private void print(Terminal out, Binding binding) {
        if (Events.isInboundCommand(event)) {
            out.println("Mapped: " + event.strip() + " with the rule '" + rule + "' is bound to " + binding.event()
                    + (binding.rule() == null ? " with no rule (always)" : " with the rule '" + binding.rule() + "'"));
        }
        out.println("** SUCCESS **");
        out.println("Registered Binding:");
        out.println(" Event Name  :" + binding.event());
        out.println(" Display Name:" + binding.name());
        out.println(" Binding GUID:" + binding.id());
        out.println(" SinkClass   :" + binding.sinkClass());
        out.println("   Rule      :" + (binding.rule() == null ? "(none: always)" : binding.rule()));
        out.println("   Priority  :" + binding.priority() + " (0 - 32767, default: 24575)");
        out.println("   Enabled   :" + (binding.enabled() ? "True" : "False"));
        if (!binding.sinkProperties().isEmpty()) {
            out.println("   Sink props:" + Format.props(binding.sinkProperties()));
        }
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
