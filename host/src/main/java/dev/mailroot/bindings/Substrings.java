package dev.mailroot.bindings;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An Aho-Corasick automaton: finds, in one pass over a text, every registered literal that occurs
 * in it, in time proportional to the text's length plus the number of hits, however many literals
 * there are. Built once, then read-only and thread-safe.
 *
 * @param <T> what is attached to each literal
 */
final class Substrings<T> {

    private static final class Node<T> {
        final Map<Character, Node<T>> next = new HashMap<>(4);
        Node<T> fail;
        /** values of literals ending here, and of literals ending at the fail chain (merged at build) */
        List<T> out = List.of();
    }

    private final Node<T> root = new Node<>();
    private boolean empty = true;

    /** Builds the automaton over {@code literals} (each non-empty, lower case) and their values. */
    static <T> Substrings<T> of(Map<String, List<T>> literals) {
        Substrings<T> s = new Substrings<>();
        for (Map.Entry<String, List<T>> e : literals.entrySet()) {
            s.add(e.getKey(), e.getValue());
        }
        s.link();
        return s;
    }

    private void add(String literal, List<T> values) {
        Node<T> n = root;
        for (int i = 0; i < literal.length(); i++) {
            n = n.next.computeIfAbsent(literal.charAt(i), c -> new Node<>());
        }
        List<T> out = new ArrayList<>(n.out);
        out.addAll(values);
        n.out = out;
        empty = false;
    }

    private void link() {
        ArrayDeque<Node<T>> queue = new ArrayDeque<>();
        for (Node<T> child : root.next.values()) {
            child.fail = root;
            queue.add(child);
        }
        while (!queue.isEmpty()) {
            Node<T> n = queue.poll();
            for (Map.Entry<Character, Node<T>> e : n.next.entrySet()) {
                Node<T> child = e.getValue();
                Node<T> f = n.fail;
                while (f != null && !f.next.containsKey(e.getKey())) {
                    f = f.fail;
                }
                child.fail = f == null ? root : f.next.get(e.getKey());
                if (!child.fail.out.isEmpty()) {
                    List<T> merged = new ArrayList<>(child.out);
                    merged.addAll(child.fail.out);
                    child.out = merged;
                }
                queue.add(child);
            }
        }
    }

    /** Calls {@code hit} with the value of every literal occurrence in {@code text} (lower case). */
    void search(String text, Consumer<T> hit) {
        if (empty) {
            return;
        }
        Node<T> n = root;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            while (n != root && !n.next.containsKey(c)) {
                n = n.fail;
            }
            Node<T> step = n.next.get(c);
            if (step != null) {
                n = step;
            }
            for (T v : n.out) {
                hit.accept(v);
            }
        }
    }
}
