package dev.mailroot.server.spool;

/**
 * A binding as the spool remembers it in the records of poison-message protection: enough to name
 * it in a log line and to disable it.
 *
 * @param id   the binding's id
 * @param name its display name
 */
public record BindingRef(String id, String name) {

    /** "'name' {id}", as log lines name a binding. */
    public String describe() {
        return "'" + name + "' " + id;
    }
}
