package dev.mailroot.bindings;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The binding registry file, {@code conf/bindings.yaml}. Reads validate everything (a file with
 * any problem is refused as a whole, with the line and what is wrong, so the caller can keep the
 * last good set). Writes happen under an exclusive lock on {@code bindings.yaml.lock}, re-read the
 * file inside the lock, and replace it atomically (temporary file, fsync, rename, fsync of the
 * folder): two writers, in one process or several, never lose each other's change.
 */
public final class BindingStore {

    private static final String HEADER = """
            # Mailroot binding registry: which sink runs for which event, for which mail, in which order.
            # Edit it with `bin/registry` (or by hand); the running server reloads it within 2 s.
            # A binding's 'failure' is written by the server when it disables a failing binding.
            """;
    private static final Set<String> TOP_KEYS = Set.of("bindings", "registeredDefaults");
    private static final Set<String> BINDING_KEYS = Set.of("id", "name", "event", "sinkClass", "enabled", "rule",
            "priority", "sinkProperties", "failure");

    private final Path file;
    private final Path lockFile;
    private final ObjectMapper yaml = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    public BindingStore(Path file) {
        this.file = file;
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    }

    public Path file() {
        return file;
    }

    /** Reads and validates the registry; a missing file is an empty registry. */
    public BindingRegistry read() throws BindingStoreException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return BindingRegistry.empty();
        } catch (IOException e) {
            throw new BindingStoreException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text);
    }

    /**
     * Applies {@code change} to the current registry and writes the result, all under the lock.
     * If {@code change} throws, or the result is invalid, the file is left as it was.
     *
     * @return the registry as written
     */
    public BindingRegistry update(UnaryOperator<BindingRegistry> change) throws BindingStoreException, IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lock(ch)) {
            BindingRegistry current = read();
            BindingRegistry next = change.apply(current);
            String text = format(next);
            parse(text); // never write what could not be read back
            write(text);
            return next;
        }
    }

    /** Writes {@code registry} as the whole file, under the lock. */
    public void write(BindingRegistry registry) throws BindingStoreException, IOException {
        update(current -> registry);
    }

    /**
     * What identifies the file's current version (modification time, size, file key), for change
     * detection by polling; null if the file does not exist.
     */
    public Object stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime().toMillis(), a.size(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return null;
        }
    }

    private static FileLock lock(FileChannel ch) throws IOException {
        while (true) {
            try {
                return ch.lock();
            } catch (OverlappingFileLockException e) {
                // another thread of this process holds it: wait our turn
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + ch, ie);
                }
            }
        }
    }

    private void write(String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The registry as the file's text. */
    public String format(BindingRegistry registry) {
        ObjectNode root = yaml.createObjectNode();
        ArrayNode list = root.putArray("bindings");
        for (Binding b : registry.bindings()) {
            ObjectNode n = list.addObject();
            putFields(b, n);
            if (b.failure() != null) {
                ObjectNode f = n.putObject("failure");
                f.put("at", b.failure().at().toString());
                f.put("failures", b.failure().failures());
                f.put("cause", b.failure().cause());
            }
        }
        ArrayNode defaults = root.putArray("registeredDefaults");
        registry.registeredDefaults().forEach(defaults::add);
        try {
            return HEADER + yaml.writeValueAsString(root);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot format bindings", e);
        }
    }

    /**
     * Writes a binding's own fields (id, name, event, sinkClass, enabled, rule, priority and the
     * sinkProperties sorted by key) into {@code n}: the shape of one entry of the file, which
     * {@code registry enum --json} prints too.
     */
    public static void putFields(Binding b, ObjectNode n) {
        n.put("id", b.id());
        n.put("name", b.name());
        n.put("event", b.event());
        n.put("sinkClass", b.sinkClass());
        n.put("enabled", b.enabled());
        if (b.rule() == null) {
            n.putNull("rule");
        } else {
            n.put("rule", b.rule());
        }
        n.put("priority", b.priority());
        ObjectNode props = n.putObject("sinkProperties");
        b.sinkProperties().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> props.put(e.getKey(), e.getValue()));
    }

    /** Parses and validates the file's text. */
    public BindingRegistry parse(String text) throws BindingStoreException {
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            String msg = e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage();
            throw new BindingStoreException(file + where + ": not valid YAML: " + msg.lines().findFirst().orElse(""), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return BindingRegistry.empty();
        }
        if (!root.isObject()) {
            throw new BindingStoreException(file + ": expected 'bindings:' and 'registeredDefaults:'");
        }
        List<Integer> lines = bindingLines(text);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_KEYS.contains(key)) {
                throw new BindingStoreException(file + ": unknown key '" + key + "' (known: bindings, registeredDefaults)");
            }
        }
        List<Binding> bindings = new ArrayList<>();
        JsonNode list = root.path("bindings");
        if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
            throw new BindingStoreException(file + ": 'bindings' must be a list");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = file + (i < lines.size() ? " (line " + lines.get(i) + ")" : "") + ": binding " + (i + 1);
            Binding b = binding(list.get(i), where);
            if (!ids.add(b.id())) {
                throw new BindingStoreException(where + ": id " + b.id() + " is used by another binding");
            }
            bindings.add(b);
        }
        Set<String> defaults = new LinkedHashSet<>();
        JsonNode d = root.path("registeredDefaults");
        if (d.isArray()) {
            for (JsonNode n : d) {
                if (!Binding.isGuid(n.asText())) {
                    throw new BindingStoreException(file + ": registeredDefaults: '" + n.asText() + "' is not a GUID");
                }
                defaults.add(Binding.canonicalId(n.asText()));
            }
        } else if (!d.isMissingNode() && !d.isNull()) {
            throw new BindingStoreException(file + ": 'registeredDefaults' must be a list of ids");
        }
        return new BindingRegistry(bindings, defaults);
    }

    private static Binding binding(JsonNode n, String where) throws BindingStoreException {
        if (!n.isObject()) {
            throw new BindingStoreException(where + ": expected keys id, name, event, sinkClass, ...");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!BINDING_KEYS.contains(key)) {
                throw new BindingStoreException(where + ": unknown key '" + key + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(BINDING_KEYS)) + ")");
            }
        }
        String id = text(n, "id", where, true);
        if (!Binding.isGuid(id)) {
            throw new BindingStoreException(where + ": id '" + id + "' is not a GUID like {66F4180A-627E-4073-8D31-51F628AA8366}");
        }
        String name = text(n, "name", where, true);
        String eventText = text(n, "event", where, true);
        String event = Events.canonical(eventText).orElseThrow(() -> new BindingStoreException(where
                + ": unknown event '" + eventText + "' (known: OnSubmission, or the IIS names OnArrival, "
                + "OnTransportSubmission, SMTP Transport OnSubmission)"));
        String sinkClass = text(n, "sinkClass", where, true);
        boolean enabled = true;
        if (n.has("enabled") && !n.get("enabled").isNull()) {
            if (!n.get("enabled").isBoolean()) {
                throw new BindingStoreException(where + ": enabled must be true or false");
            }
            enabled = n.get("enabled").booleanValue();
        }
        String rule = text(n, "rule", where, false);
        try {
            Rule.parse(rule);
        } catch (RuleSyntaxException e) {
            throw new BindingStoreException(where + " ('" + name + "'): rule '" + rule + "' " + e.getMessage());
        }
        int priority = Binding.PRIORITY_DEFAULT;
        if (n.has("priority") && !n.get("priority").isNull()) {
            JsonNode p = n.get("priority");
            if (!p.canConvertToInt() || !p.isIntegralNumber() || p.intValue() < 0 || p.intValue() > 32767) {
                throw new BindingStoreException(where + " ('" + name + "'): priority must be a whole number 0..32767, found '"
                        + p.asText() + "'");
            }
            priority = p.intValue();
        }
        Map<String, String> props = new LinkedHashMap<>();
        JsonNode pn = n.path("sinkProperties");
        if (pn.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = pn.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw new BindingStoreException(where + " ('" + name + "'): sink property '" + e.getKey()
                            + "' must be a single value");
                }
                props.put(e.getKey(), e.getValue().asText());
            }
        } else if (!pn.isMissingNode() && !pn.isNull()) {
            throw new BindingStoreException(where + " ('" + name + "'): sinkProperties must be keys and values");
        }
        Binding.Failure failure = null;
        JsonNode f = n.path("failure");
        if (f.isObject()) {
            try {
                failure = new Binding.Failure(Instant.parse(f.path("at").asText()), f.path("failures").asInt(),
                        f.path("cause").asText(""));
            } catch (DateTimeParseException e) {
                throw new BindingStoreException(where + " ('" + name + "'): failure.at is not a time: " + f.path("at").asText());
            }
        }
        return new Binding(Binding.canonicalId(id), name, event, sinkClass, enabled, rule, priority, props, failure);
    }

    private static String text(JsonNode n, String key, String where, boolean required) throws BindingStoreException {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new BindingStoreException(where + ": '" + key + "' is missing");
            }
            return null;
        }
        if (!v.isValueNode()) {
            throw new BindingStoreException(where + ": '" + key + "' must be text");
        }
        String s = v.asText();
        if (required && s.isBlank()) {
            throw new BindingStoreException(where + ": '" + key + "' is empty");
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
                if (t == JsonToken.FIELD_NAME && depth == 1) {
                    inBindings = "bindings".equals(p.currentName());
                } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (inBindings && depth == 2 && t == JsonToken.START_OBJECT) {
                        lines.add(p.currentTokenLocation().getLineNr());
                    }
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                }
            }
        } catch (IOException e) {
            // only a courtesy for messages
        }
        return lines;
    }
}
