package dev.mailroot.bindings;

import java.util.List;
import java.util.Map;

/**
 * One item of the {@code bindings} list as {@link BindingStore#check()} read it: each field that
 * could be read, the binding if every field is valid, and the problems found in it.
 *
 * @param position       its place in the list, from 1
 * @param line           the line where it starts; 0 if unknown
 * @param id             the id, upper case in braces when it is a GUID, else as written; null if missing
 * @param name           the name, or null if missing
 * @param event          the canonical event, or null if missing or unknown
 * @param sinkClass      the sink class, or null if missing
 * @param sinkProperties the sink properties that could be read
 * @param binding        the binding, or null if one of its fields is invalid; present even when the
 *                       binding's only problem is with another binding (a duplicate id)
 * @param problems       what is wrong with it, in field order
 */
public record BindingEntry(int position, int line, String id, String name, String event, String sinkClass,
                           Map<String, String> sinkProperties, Binding binding, List<BindingProblem> problems) {

    public BindingEntry {
        sinkProperties = Map.copyOf(sinkProperties);
        problems = List.copyOf(problems);
    }

    /** The binding as a person finds it: {@code 'name' {id}}, saying what is missing. */
    public String label() {
        return BindingProblem.label(name, id);
    }
}
