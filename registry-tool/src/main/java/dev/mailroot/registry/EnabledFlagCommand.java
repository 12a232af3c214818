package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStoreException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code enable} and {@code disable}: set one binding's {@code enabled} flag. */
abstract class EnabledFlagCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Parameters(paramLabel = "<name|{id}>", description = "The binding's display name or its id.")
    String target;
    @Spec
    CommandSpec spec;

    private final boolean enabled;

    EnabledFlagCommand(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public Integer call() throws IOException, BindingStoreException {
        home.store().update(r -> {
            Binding b = Targets.find(r, target);
            return r.change(b.id(), x -> x.withEnabled(enabled));
        });
        spec.commandLine().getOut().println(enabled ? "Success: Sink Binding Enabled" : "Success: Sink Binding Disabled");
        return 0;
    }
}
