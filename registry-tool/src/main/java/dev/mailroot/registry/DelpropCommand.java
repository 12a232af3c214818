package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "delprop", aliases = "/delprop", mixinStandardHelpOptions = true, description = "Removes a source property (Rule: then always; "
        + "Priority: back to 24575) or a sink property.",
        footer = {"", "Example:", "  registry delprop \"Tag sales\" sink timeoutMs", "  registry delprop \"Tag sales\" source Rule"})
final class DelpropCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(index = "0", paramLabel = "<name|{id}>")
    String target;
    @Parameters(index = "1", paramLabel = "source|sink")
    String bag;
    @Parameters(index = "2", paramLabel = "<prop>")
    String property;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BindingStoreException {
        PropertyBag which = PropertyBag.of(bag);
        String name = which == PropertyBag.SOURCE ? PropertyBag.sourceProperty(property) : property;
        home.store().update(r -> {
            Binding b = Targets.find(r, target);
            if (which == PropertyBag.SINK && !b.sinkProperties().containsKey(name)) {
                throw new RegistryException("binding '" + b.name() + "' has no sink property " + name);
            }
            return r.change(b.id(), x -> switch (which) {
                case SOURCE -> name.equals("Rule") ? x.withRule(null) : x.withPriority(Binding.PRIORITY_DEFAULT);
                case SINK -> {
                    Map<String, String> props = new LinkedHashMap<>(x.sinkProperties());
                    props.remove(name);
                    yield x.withSinkProperties(props);
                }
            });
        });
        Terminal.of(spec).println("removed property " + name);
        return 0;
    }
}
