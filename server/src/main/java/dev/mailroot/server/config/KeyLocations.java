package dev.mailroot.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** The line on which each key of a YAML document appears, by dotted path ({@code smtp.port}). */
public final class KeyLocations {
    private final Map<String, Integer> lines;

    private KeyLocations(Map<String, Integer> lines) {
        this.lines = lines;
    }

    public static KeyLocations of(String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        Deque<String> path = new ArrayDeque<>();
        Deque<Boolean> inObject = new ArrayDeque<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t;
            String pending = null;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> {
                        pending = p.currentName();
                        String key = path.isEmpty() ? pending : String.join(".", path) + "." + pending;
                        lines.putIfAbsent(key, p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        if (pending != null) {
                            path.addLast(pending);
                        }
                        inObject.push(pending != null);
                        pending = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (!inObject.isEmpty() && inObject.pop()) {
                            path.removeLast();
                        }
                    }
                    default -> pending = null;
                }
            }
        } catch (IOException e) {
            // the loader reports syntax errors itself; locations are a courtesy
        }
        return new KeyLocations(lines);
    }

    /** " (line N)" for the key, or its nearest parent that has a line, or "" if none. */
    public String describe(String key) {
        String k = key;
        while (!k.isEmpty()) {
            Integer line = lines.get(k);
            if (line != null) {
                return " (line " + line + ")";
            }
            int dot = k.lastIndexOf('.');
            k = dot < 0 ? "" : k.substring(0, dot);
        }
        return "";
    }
}
