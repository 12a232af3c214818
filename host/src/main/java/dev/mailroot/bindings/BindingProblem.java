package dev.mailroot.bindings;

/**
 * One thing wrong in {@code bindings.yaml}, as {@link BindingStore#check()} reports it: where it is,
 * which binding it concerns (if any), which field, and what is wrong.
 *
 * @param line     the line of the binding (or of the problem, for the file as a whole); 0 if unknown
 * @param position the binding's place in the {@code bindings} list, from 1; 0 for a problem of the file
 * @param name     the binding's name as written, or null if it has none
 * @param id       the binding's id (upper case in braces when it is a GUID, else as written), or null
 * @param field    the key at fault ({@code rule}, {@code event}, ...), or null for the whole binding or file
 * @param message  what is wrong, one line, naming the field
 */
public record BindingProblem(int line, int position, String name, String id, String field, String message) {

    /** Whether the problem is in one binding rather than in the file as a whole. */
    public boolean inBinding() {
        return position > 0;
    }

    /** The binding as a person finds it: {@code 'name' {id}}, saying what is missing. */
    public String binding() {
        return label(name, id);
    }

    static String label(String name, String id) {
        return (name == null ? "(no name)" : "'" + name + "'") + " " + (id == null ? "(no id)" : id);
    }
}
