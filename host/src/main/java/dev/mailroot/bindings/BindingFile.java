package dev.mailroot.bindings;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bindings.yaml} read leniently by {@link BindingStore#check()}: every binding as far as it
 * could be read and every problem found, where a strict read stops at the first.
 *
 * @param entries            the items of the {@code bindings} list, in file order
 * @param registeredDefaults the valid ids of {@code registeredDefaults}
 * @param problems           every problem, in file order: the file's structure, then each binding,
 *                           then {@code registeredDefaults}
 */
public record BindingFile(List<BindingEntry> entries, Set<String> registeredDefaults, List<BindingProblem> problems) {

    public BindingFile {
        entries = List.copyOf(entries);
        registeredDefaults = Collections.unmodifiableSet(new LinkedHashSet<>(registeredDefaults));
        problems = List.copyOf(problems);
    }

    static BindingFile empty() {
        return new BindingFile(List.of(), Set.of(), List.of());
    }

    static BindingFile problem(BindingProblem problem) {
        return new BindingFile(List.of(), Set.of(), List.of(problem));
    }

    /** Whether the file has no problem, so the server would use it. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
