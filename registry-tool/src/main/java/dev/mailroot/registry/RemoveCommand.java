package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "remove", aliases = "/remove", mixinStandardHelpOptions = true, description = "Removes a binding.",
        footer = {"", "Example:", "  registry remove \"Tag sales\"", "  registry remove {66F4180A-627E-4073-8D31-51F628AA8366}"})
final class RemoveCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(paramLabel = "<name|{id}>", description = "The binding's display name or its id.")
    String target;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BindingStoreException {
        Binding[] removed = new Binding[1];
        home.store().update(r -> {
            removed[0] = Targets.find(r, target);
            return r.without(removed[0].id());
        });
        Terminal out = Terminal.of(spec);
        out.println("** SUCCESS **");
        out.println("Removed Binding:");
        out.println(" Event Name  :" + removed[0].event());
        out.println(" Display Name:" + removed[0].name());
        out.println(" Binding GUID:" + removed[0].id());
        return 0;
    }
}
