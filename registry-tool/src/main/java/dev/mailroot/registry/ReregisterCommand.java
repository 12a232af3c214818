package dev.mailroot.registry;

import dev.mailroot.bindings.Reregistration;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "reregister", aliases = "/reregister", mixinStandardHelpOptions = true, description = "Puts back the default bindings declared by the "
        + "named plugins (all if none are named) and re-enables their bindings the server disabled after failures, "
        + "clearing the failure state. Prints what it changed.",
        footer = {"", "Examples:", "  registry reregister pop3-connector", "  registry reregister"})
final class ReregisterCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(arity = "0..*", paramLabel = "<pluginId>")
    List<String> pluginIds = List.of();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BindingStoreException {
        BindingStore store = home.store();
        List<PluginJar> jars = home.jars().stream().filter(PluginJar::loads).toList();
        Set<String> known = jars.stream().map(PluginJar::pluginId).collect(Collectors.toSet());
        for (String id : pluginIds) {
            if (!known.contains(id)) {
                throw new RegistryException("no loadable plugin '" + id + "' in " + home.plugins() + " (found: "
                        + (known.isEmpty() ? "none" : String.join(", ", known.stream().sorted().toList())) + ")");
            }
        }
        List<PluginJar> chosen = pluginIds.isEmpty() ? jars
                : jars.stream().filter(j -> pluginIds.contains(j.pluginId())).toList();
        List<String> changes = new ArrayList<>();
        store.update(r -> {
            changes.clear();
            BindingRegistry out = r;
            for (PluginJar j : chosen) {
                Set<String> classes = j.sinks().stream().map(PluginJar.Sink::className).collect(Collectors.toSet());
                out = Reregistration.apply(out, j.pluginId(), j.defaultBindings(), classes, changes);
            }
            return out;
        });
        Terminal out = Terminal.of(spec);
        if (changes.isEmpty()) {
            out.println("nothing to change: every default binding of " + (pluginIds.isEmpty() ? "the plugins in plugins/"
                    : String.join(", ", pluginIds)) + " is registered and none is disabled by the server");
        }
        changes.forEach(out::println);
        return 0;
    }
}
