package dev.mailroot.bindings;

import java.util.List;
import java.util.Set;

/**
 * What "re-register" does to the bindings of one plugin (IIS' {@code smtpreg.vbs} re-registration,
 * KB 885685's fix for a sink that stopped running): puts back the plugin's default bindings that are
 * missing, and re-enables the bindings of its sinks that the server disabled after failures,
 * clearing their failure state. One rule for {@code registry reregister} and the web console.
 */
public final class Reregistration {
    private Reregistration() {
    }

    /**
     * {@code registry} with the defaults of plugin {@code pluginId} put back and its server-disabled
     * bindings re-enabled; each change is described in {@code changes}.
     *
     * @param defaults    the default bindings the plugin declares
     * @param sinkClasses the sink classes the plugin provides
     */
    public static BindingRegistry apply(BindingRegistry registry, String pluginId, List<Binding> defaults, Set<String> sinkClasses,
                                        List<String> changes) {
        BindingRegistry out = registry;
        for (Binding d : defaults) {
            if (out.byId(d.id()).isEmpty()) {
                out = out.with(d).withRegisteredDefault(d.id());
                changes.add("added default binding '" + d.name() + "' " + d.id() + " of plugin '" + pluginId + "'");
            }
        }
        for (Binding b : out.bindings()) {
            if (b.failure() != null && sinkClasses.contains(b.sinkClass())) {
                out = out.change(b.id(), x -> x.withEnabled(true));
                changes.add("re-enabled '" + b.name() + "' " + b.id() + " (disabled by the server after "
                        + b.failure().failures() + " failures at " + b.failure().at() + ": " + b.failure().cause() + ")");
            }
        }
        return out;
    }
}
