package dev.mailroot.sink;

import java.util.List;
import java.util.Optional;

/**
 * The header section of a message, as a sink may read and change it. Names compare
 * case-insensitively. Values are returned unfolded (line breaks of folded headers removed) and
 * otherwise as they are in the message: RFC 2047 encoded words are not decoded. Headers a sink
 * does not touch are kept byte for byte.
 *
 * <p>A sink may change the headers; the change is written to the spool before the message goes on
 * to delivery. Not thread-safe: it belongs to one message and is used by one thread at a time.
 */
public interface Headers {

    /** The value of the first header called {@code name}, if any. */
    Optional<String> first(String name);

    /** The values of every header called {@code name}, in message order. */
    List<String> all(String name);

    /** The header names in message order, one entry per header (a name can repeat). */
    List<String> names();

    /**
     * Adds a header at the end of the header section.
     *
     * @throws IllegalArgumentException if the name is not a valid header name (printable ASCII
     *                                  without colon or space) or the value contains CR or LF
     */
    void add(String name, String value);

    /**
     * Sets a header: the first header called {@code name} gets the new value in place and the
     * others of that name are removed; if there is none, the header is added at the end.
     *
     * @throws IllegalArgumentException as {@link #add(String, String)}
     */
    void set(String name, String value);

    /**
     * Removes every header called {@code name}.
     *
     * @return how many were removed
     */
    int remove(String name);
}
