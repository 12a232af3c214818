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

@Command(name = "enable", aliases = "/enable", mixinStandardHelpOptions = true, description = "Enables a binding (and clears the failure state the server recorded when it disabled it).",
        footer = {"", "Example:", "  registry enable \"Tag sales\""})
final class EnableCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(paramLabel = "<name|{id}>", description = "The binding's display name or its id.")
    String target;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, BindingStoreException {
        home.store().update(r -> {
            Binding b = Targets.find(r, target);
            return r.change(b.id(), x -> x.withEnabled(true));
        });
        spec.commandLine().getOut().println("Success: Sink Binding Enabled");
        return 0;
    }
}
