package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.bindings.Rule;
import dev.mailroot.bindings.RuleSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "setprop", aliases = "/setprop", mixinStandardHelpOptions = true, description = "Sets a source property (Rule, Priority) or a sink property.",
        footer = {"", "Examples:", "  registry setprop \"Tag sales\" source Priority 344",
                "  registry setprop \"Tag sales\" source Rule \"RCPT TO=sales@*;RCPT TO=orders@*\"",
                "  registry setprop \"Tag sales\" sink timeoutMs 2000"})
final class SetpropCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(index = "0", paramLabel = "<name|{id}>")
    String target;
    @Parameters(index = "1", paramLabel = "source|sink")
    String bag;
    @Parameters(index = "2", paramLabel = "<prop>")
    String property;
    @Parameters(index = "3", paramLabel = "<value>")
    String value;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BindingStoreException {
        PlainText.check("the property name", property);
        PlainText.check("the value", value);
        PropertyBag which = PropertyBag.of(bag);
        String name = which == PropertyBag.SOURCE ? PropertyBag.sourceProperty(property) : property;
        if (which == PropertyBag.SOURCE && name.equals("Rule")) {
            try {
                Rule.parse(value);
            } catch (RuleSyntaxException e) {
                throw new RegistryException("rule '" + value + "' does not parse " + e.getMessage());
            }
        }
        int priority = which == PropertyBag.SOURCE && name.equals("Priority") ? priority(value) : -1;
        home.store().update(r -> {
            Binding b = Targets.find(r, target);
            if (which == PropertyBag.SINK) {
                SinkPropertyCheck.check(b.event(), name, value);
            }
            return r.change(b.id(), x -> switch (which) {
                case SOURCE -> name.equals("Rule") ? x.withRule(value) : x.withPriority(priority);
                case SINK -> {
                    Map<String, String> props = new LinkedHashMap<>(x.sinkProperties());
                    props.put(name, value);
                    yield x.withSinkProperties(props);
                }
            });
        });
        Terminal.of(spec).println("set property " + name + " to " + value);
        return 0;
    }

    private static int priority(String text) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= Binding.PRIORITY_HIGHEST && p <= Binding.PRIORITY_LOWEST) {
                return p;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new RegistryException("priority '" + text + "' is not a whole number in 0..32767");
    }
}
