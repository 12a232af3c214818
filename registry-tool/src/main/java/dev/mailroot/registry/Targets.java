package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;

import java.util.List;
import java.util.stream.Collectors;

/** Finds the binding a command names: {@code {GUID}} or a display name (case-sensitive, as smtpreg). */
final class Targets {
    private Targets() {
    }

    static Binding find(BindingRegistry registry, String nameOrId) {
        if (nameOrId.startsWith("{") || Binding.isGuid(nameOrId)) {
            if (!Binding.isGuid(nameOrId)) {
                throw new RegistryException("'" + nameOrId + "' is not a binding id like {66F4180A-627E-4073-8D31-51F628AA8366}");
            }
            return registry.byId(nameOrId).orElseThrow(() ->
                    new RegistryException("no binding has the id " + Binding.canonicalId(nameOrId)));
        }
        List<Binding> named = registry.byName(nameOrId);
        if (named.isEmpty()) {
            throw new RegistryException("no binding is named '" + nameOrId + "' (names are case-sensitive; 'registry enum' lists them)");
        }
        if (named.size() > 1) {
            throw new RegistryException("the name '" + nameOrId + "' matches " + named.size() + " bindings: "
                    + named.stream().map(Binding::id).collect(Collectors.joining(", ")) + "; name one by its id");
        }
        return named.get(0);
    }
}
