package dev.mailroot.bindings;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The binding registry file, {@code conf/bindings.yaml}. Reads validate everything (a file with
 * any problem is refused as a whole, with the line and what is wrong, so the caller can keep the
 * last good set); {@link #check()} instead reports every problem, binding by binding. Writes happen under an exclusive lock on {@code bindings.yaml.lock}, re-read the
 * file inside the lock, and replace it atomically (temporary file, fsync, rename, fsync of the
 * folder): two writers, in one process or several, never lose each other's change.
 */
public final class BindingStore {

    private static final String HEADER = """
            # Mailroot binding registry: which sink runs for which event, for which mail, in which order.
            # Edit it with `bin/registry` (or by hand); the running server reloads it within 2 s.
            # A binding's 'failure' is written by the server when it disables a failing binding.
            """;

    private final Path file;
    private final dev.mailroot.host.files.LockedTextFile text;
    private final ObjectMapper yaml = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    public BindingStore(Path file) {
        this.file = file;
        this.text = new dev.mailroot.host.files.LockedTextFile(file);
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
        BindingRegistry[] written = new BindingRegistry[1];
        text.update(current -> {
            BindingRegistry next = change.apply(current.isEmpty() ? BindingRegistry.empty() : parse(current.get()));
            String out = format(next);
            parse(out); // never write what could not be read back
            written[0] = next;
            return out;
        });
        return written[0];
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
        return text.stamp();
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

    /**
     * Reads the file leniently: every binding checked on its own and every problem found, for
     * {@code registry verify}. A missing file is an empty registry; an unreadable one is one problem.
     */
    public BindingFile check() {
        try {
            return check(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return BindingFile.empty();
        } catch (IOException e) {
            return BindingFile.problem(new BindingProblem(0, 0, null, null, null, "cannot read: " + e.getMessage()));
        }
    }

    /** Checks the file's text leniently, as {@link #check()}. */
    public BindingFile check(String text) {
        return BindingFileReader.read(yaml, text);
    }

    /**
     * Parses and validates the file's text, strictly: a file with any problem is refused as a whole,
     * naming the first problem (with its line, the binding and the field) and how many more there are.
     */
    public BindingRegistry parse(String text) throws BindingStoreException {
        BindingFile checked = check(text);
        if (!checked.ok()) {
            BindingProblem first = checked.problems().get(0);
            int more = checked.problems().size() - 1;
            throw new BindingStoreException(describe(first) + (more == 0 ? ""
                    : " (and " + more + " more problem(s); registry verify lists them all)"));
        }
        return new BindingRegistry(checked.entries().stream().map(BindingEntry::binding).toList(),
                checked.registeredDefaults());
    }

    /** {@code <file> (line L): binding P 'name' {id}: what is wrong}, leaving out what is unknown. */
    private String describe(BindingProblem p) {
        return file + (p.line() > 0 ? " (line " + p.line() + ")" : "")
                + (p.inBinding() ? ": binding " + p.position() + " " + p.binding() : "") + ": " + p.message();
    }
}
