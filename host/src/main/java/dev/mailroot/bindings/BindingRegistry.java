package dev.mailroot.bindings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The content of the binding registry ({@code conf/bindings.yaml}): every binding, and the ids of
 * every plugin default binding ever registered (so one the administrator removed is not put back).
 * Immutable; the {@code with...} methods return changed copies.
 *
 * @param bindings           the bindings, in file order
 * @param registeredDefaults ids of plugin default bindings registered at some time
 */
public record BindingRegistry(List<Binding> bindings, Set<String> registeredDefaults) {

    public BindingRegistry {
        bindings = List.copyOf(bindings);
        registeredDefaults = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(registeredDefaults));
    }

    public static BindingRegistry empty() {
        return new BindingRegistry(List.of(), Set.of());
    }

    public Optional<Binding> byId(String id) {
        String canonical = Binding.isGuid(id) ? Binding.canonicalId(id) : id;
        return bindings.stream().filter(b -> b.id().equals(canonical)).findFirst();
    }

    /** Bindings called {@code name} (names are case-sensitive, as in smtpreg). */
    public List<Binding> byName(String name) {
        return bindings.stream().filter(b -> b.name().equals(name)).toList();
    }

    /** Adds or replaces (by id) a binding. */
    public BindingRegistry with(Binding binding) {
        List<Binding> out = new ArrayList<>(bindings);
        int i = indexOf(binding.id());
        if (i >= 0) {
            out.set(i, binding);
        } else {
            out.add(binding);
        }
        return new BindingRegistry(out, registeredDefaults);
    }

    public BindingRegistry without(String id) {
        return new BindingRegistry(bindings.stream().filter(b -> !b.id().equals(id)).toList(), registeredDefaults);
    }

    /** Changes the binding {@code id}, if present. */
    public BindingRegistry change(String id, UnaryOperator<Binding> change) {
        int i = indexOf(id);
        if (i < 0) {
            return this;
        }
        List<Binding> out = new ArrayList<>(bindings);
        out.set(i, change.apply(out.get(i)));
        return new BindingRegistry(out, registeredDefaults);
    }

    public BindingRegistry withRegisteredDefault(String id) {
        Set<String> ids = new LinkedHashSet<>(registeredDefaults);
        ids.add(id);
        return new BindingRegistry(bindings, ids);
    }

    private int indexOf(String id) {
        for (int i = 0; i < bindings.size(); i++) {
            if (bindings.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
