package dev.mailroot.bindings;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a valid {@code bindings.yaml} is, in one place. Reads the file's text leniently: each
 * binding is checked on its own, field by field, and every problem is kept. The strict read
 * ({@link BindingStore#parse}) refuses a file with any problem found here; {@code registry verify}
 * prints them all.
 */
final class BindingFileReader {

    private static final Set<String> TOP_KEYS = Set.of("bindings", "registeredDefaults");
    private static final Set<String> BINDING_KEYS = Set.of("id", "name", "event", "sinkClass", "enabled", "rule",
            "priority", "sinkProperties", "failure");

    /** A problem of one binding before its name and id are known. */
    private record Found(String field, String message) {
    }

    private BindingFileReader() {
    }

    static BindingFile read(ObjectMapper yaml, String text) {
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            String msg = e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage();
            return BindingFile.problem(new BindingProblem(line, 0, null, null, null,
                    "not valid YAML" + column + ": " + msg.lines().findFirst().orElse("")));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return BindingFile.empty();
        }
        if (!root.isObject()) {
            return BindingFile.problem(fileProblem(null, "expected 'bindings:' and 'registeredDefaults:'"));
        }
        List<BindingProblem> problems = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_KEYS.contains(key)) {
                problems.add(fileProblem(key, "unknown key '" + key + "' (known: bindings, registeredDefaults)"));
            }
        }
        List<BindingEntry> entries = new ArrayList<>();
        JsonNode list = root.path("bindings");
        if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
            problems.add(fileProblem("bindings", "'bindings' must be a list"));
        } else {
            List<Integer> lines = bindingLines(text);
            Map<String, BindingEntry> byId = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                BindingEntry e = entry(list.get(i), i + 1, i < lines.size() ? lines.get(i) : 0);
                BindingEntry first = Binding.isGuid(e.id()) ? byId.putIfAbsent(e.id(), e) : null;
                if (first != null) {
                    e = withProblem(e, "id", "id " + e.id() + " is used by another binding: "
                            + (first.name() == null ? "binding " + first.position() : "'" + first.name() + "'")
                            + (first.line() > 0 ? " (line " + first.line() + ")" : ""));
                }
                entries.add(e);
                problems.addAll(e.problems());
            }
        }
        Set<String> defaults = new LinkedHashSet<>();
        JsonNode d = root.path("registeredDefaults");
        if (d.isArray()) {
            for (JsonNode n : d) {
                if (Binding.isGuid(n.asText())) {
                    defaults.add(Binding.canonicalId(n.asText()));
                } else {
                    problems.add(fileProblem("registeredDefaults", "registeredDefaults: '" + n.asText() + "' is not a GUID"));
                }
            }
        } else if (!d.isMissingNode() && !d.isNull()) {
            problems.add(fileProblem("registeredDefaults", "'registeredDefaults' must be a list of ids"));
        }
        return new BindingFile(entries, defaults, problems);
    }

    private static BindingProblem fileProblem(String field, String message) {
        return new BindingProblem(0, 0, null, null, field, message);
    }

    /** One item of the list, every field checked, whatever the others hold. */
    private static BindingEntry entry(JsonNode n, int position, int line) {
        List<Found> found = new ArrayList<>();
        if (!n.isObject()) {
            found.add(new Found(null, "expected keys id, name, event, sinkClass, ..."));
            return entry(position, line, null, null, null, null, Map.of(), null, found);
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!BINDING_KEYS.contains(key)) {
                found.add(new Found(key, "unknown key '" + key + "' (known: " + String.join(", ", new TreeSet<>(BINDING_KEYS)) + ")"));
            }
        }
        String idText = text(n, "id", true, found);
        String id = null;
        if (idText != null && Binding.isGuid(idText)) {
            id = Binding.canonicalId(idText);
        } else if (idText != null) {
            found.add(new Found("id", "id '" + idText + "' is not a GUID like {66F4180A-627E-4073-8D31-51F628AA8366}"));
        }
        String name = text(n, "name", true, found);
        String eventText = text(n, "event", true, found);
        EventAndRule placed = eventAndRule(eventText, text(n, "rule", false, found), found);
        String event = placed.event();
        String rule = placed.rule();
        String sinkClass = text(n, "sinkClass", true, found);
        boolean enabled = true;
        if (n.has("enabled") && !n.get("enabled").isNull()) {
            if (n.get("enabled").isBoolean()) {
                enabled = n.get("enabled").booleanValue();
            } else {
                found.add(new Found("enabled", "enabled must be true or false, found '" + n.get("enabled").asText() + "'"));
            }
        }
        try {
            if (placed.ruleParses()) {
                Rule.parse(rule);
            }
        } catch (RuleSyntaxException e) {
            found.add(new Found("rule", "rule '" + rule + "' does not parse " + e.getMessage()));
        }
        int priority = priority(n, found);
        Map<String, String> props = sinkProperties(n, found);
        if (event != null && props.containsKey("onError")) {
            BindingStatus.onErrorProblem(event, props.get("onError"))
                    .ifPresent(why -> found.add(new Found("sinkProperties", why)));
        }
        Binding.Failure failure = failure(n, found);
        Binding binding = found.isEmpty()
                ? new Binding(id, name, event, sinkClass, enabled, rule, priority, props, failure) : null;
        return entry(position, line, id != null ? id : idText, name, event, sinkClass, props, binding, found);
    }

    /**
     * The binding's canonical event and its rule. IIS's {@code SMTP Protocol OnInboundCommand} names
     * the command in the rule: it is mapped to that command's event and the rule that remains.
     *
     * @param ruleParses false when the rule names a command without an event (reported with the event)
     */
    private record EventAndRule(String event, String rule, boolean ruleParses) {
    }

    private static EventAndRule eventAndRule(String eventText, String rule, List<Found> found) {
        if (eventText == null) {
            return new EventAndRule(null, rule, true);
        }
        if (Events.isInboundCommand(eventText)) {
            try {
                Events.Mapped mapped = Events.inboundCommand(rule);
                return new EventAndRule(mapped.event(), mapped.rule(), true);
            } catch (IllegalArgumentException e) {
                found.add(new Found("event", e.getMessage()));
                return new EventAndRule(null, rule, false);
            }
        }
        String event = Events.canonical(eventText).orElse(null);
        if (event == null) {
            found.add(new Found("event", "unknown event '" + eventText + "' (known: " + Events.known() + ")"));
        }
        return new EventAndRule(event, rule, true);
    }

    private static BindingEntry entry(int position, int line, String id, String name, String event,
                                      String sinkClass, Map<String, String> props, Binding binding, List<Found> found) {
        List<BindingProblem> problems = found.stream()
                .map(f -> new BindingProblem(line, position, name, id, f.field(), f.message())).toList();
        return new BindingEntry(position, line, id, name, event, sinkClass, props, binding, problems);
    }

    private static BindingEntry withProblem(BindingEntry e, String field, String message) {
        List<BindingProblem> problems = new ArrayList<>(e.problems());
        problems.add(new BindingProblem(e.line(), e.position(), e.name(), e.id(), field, message));
        return new BindingEntry(e.position(), e.line(), e.id(), e.name(), e.event(), e.sinkClass(), e.sinkProperties(),
                e.binding(), problems);
    }

    private static int priority(JsonNode n, List<Found> found) {
        JsonNode p = n.get("priority");
        if (p == null || p.isNull()) {
            return Binding.PRIORITY_DEFAULT;
        }
        if (!p.canConvertToInt() || !p.isIntegralNumber() || p.intValue() < 0 || p.intValue() > 32767) {
            found.add(new Found("priority", "priority must be a whole number 0..32767, found '" + p.asText() + "'"));
            return Binding.PRIORITY_DEFAULT;
        }
        return p.intValue();
    }

    private static Map<String, String> sinkProperties(JsonNode n, List<Found> found) {
        Map<String, String> props = new LinkedHashMap<>();
        JsonNode pn = n.path("sinkProperties");
        if (pn.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = pn.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    found.add(new Found("sinkProperties", "sink property '" + e.getKey() + "' must be a single value"));
                } else {
                    props.put(e.getKey(), e.getValue().asText());
                }
            }
        } else if (!pn.isMissingNode() && !pn.isNull()) {
            found.add(new Found("sinkProperties", "sinkProperties must be keys and values"));
        }
        return props;
    }

    private static Binding.Failure failure(JsonNode n, List<Found> found) {
        JsonNode f = n.path("failure");
        if (!f.isObject()) {
            return null;
        }
        try {
            return new Binding.Failure(Instant.parse(f.path("at").asText()), f.path("failures").asInt(),
                    f.path("cause").asText(""));
        } catch (DateTimeParseException e) {
            found.add(new Found("failure", "failure.at is not a time: " + f.path("at").asText()));
            return null;
        }
    }

    private static String text(JsonNode n, String key, boolean required, List<Found> found) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                found.add(new Found(key, "'" + key + "' is missing"));
            }
            return null;
        }
        if (!v.isValueNode()) {
            found.add(new Found(key, "'" + key + "' must be text"));
            return null;
        }
        String s = v.asText();
        if (required && s.isBlank()) {
            found.add(new Found(key, "'" + key + "' is empty"));
            return null;
        }
        return s;
    }

    /** The line where each item of the top-level 'bindings' list starts. */
    private static List<Integer> bindingLines(String text) {
        List<Integer> lines = new ArrayList<>();
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            int depth = 0;
            boolean inBindings = false;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    inBindings = depth == 1 ? "bindings".equals(p.currentName()) : inBindings;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                } else {
                    if (inBindings && depth == 2) {
                        lines.add(p.currentTokenLocation().getLineNr());
                    }
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        depth++;
                    }
                }
            }
        } catch (IOException e) {
            // only a courtesy for messages
        }
        return lines;
    }
}
