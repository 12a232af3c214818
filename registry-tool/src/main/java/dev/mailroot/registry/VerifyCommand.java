package dev.mailroot.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.BindingEntry;
import dev.mailroot.bindings.BindingFile;
import dev.mailroot.bindings.BindingProblem;
import dev.mailroot.bindings.BindingStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

@Command(name = "verify", aliases = "/verify", mixinStandardHelpOptions = true, description = "Checks every binding (event known, rule parses, sink class "
        + "provided by a loadable plugin, ids unique, names unique per event, server-read properties valid) and every "
        + "plugin jar. Prints each problem; exit 1 if there is any.",
        footer = {"", "Example:", "  registry verify && echo all good"})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Option(names = "--json", description = "Print a JSON object for scripts: {ok, bindings, plugins, problems: [...]}.")
    boolean json;
    @Spec
    CommandSpec spec;

    /** One line of the report; {@code line} 0 and {@code field} null when they do not apply. */
    private record Problem(String subject, int line, String field, String problem) {
    }

    @Override
    public Integer call() {
        List<Problem> problems = new ArrayList<>();
        BindingStore store = home.store();
        List<PluginJar> jars = home.jars();
        for (PluginJar j : jars) {
            String subject = "plugin jar " + j.jar().getFileName();
            if (!j.loads()) {
                problems.add(new Problem(subject, 0, null, "does not load: " + j.error()));
            }
            j.warnings().forEach(w -> problems.add(new Problem(subject, 0, null, w)));
        }
        BindingFile file = store.check();
        String fileName = store.file().getFileName().toString();
        for (BindingProblem p : file.problems()) {
            if (!p.inBinding()) {
                problems.add(new Problem(fileName, p.line(), p.field(), p.message()));
            }
        }
        Catalog catalog = new Catalog(jars);
        Map<String, Integer> names = new HashMap<>();
        file.entries().stream().filter(e -> e.event() != null && e.name() != null)
                .forEach(e -> names.merge(e.event() + "\u0000" + e.name(), 1, Integer::sum));
        file.entries().forEach(e -> problems.addAll(bindingProblems(e, catalog, names)));
        print(problems, file.entries().size(), jars.size());
        return problems.isEmpty() ? 0 : 1;
    }

    /** Each problem of one binding: those found in the file, then those of its live setting. */
    private static List<Problem> bindingProblems(BindingEntry e, Catalog catalog, Map<String, Integer> names) {
        String subject = "binding " + e.label();
        List<Problem> out = new ArrayList<>();
        e.problems().forEach(p -> out.add(new Problem(subject, e.line(), p.field(), p.message())));
        plainTextProblems(e).forEach((field, why) -> out.add(new Problem(subject, e.line(), field, field + " " + why)));
        if (e.sinkClass() != null && catalog.provider(e.sinkClass()).isEmpty()) {
            out.add(new Problem(subject, e.line(), "sinkClass", BindingStatus.MISSING + ": "
                    + e.sinkClass()));
        } else if (e.sinkClass() != null && e.event() != null) {
            catalog.wrongEvent(e.sinkClass(), e.event()).ifPresent(why -> out.add(new Problem(subject, e.line(), "sinkClass",
                    "the sink class cannot serve " + e.event() + ": " + why)));
        }
        if (e.event() != null && e.name() != null && names.get(e.event() + "\u0000" + e.name()) > 1) {
            out.add(new Problem(subject, e.line(), "name", "another " + e.event()
                    + " binding has the same name; commands must name these by id"));
        }
        e.sinkProperties().forEach((k, v) -> {
            if (k.equals("onError")) {
                return; // checked with the file, against the binding's event: among e.problems() already
            }
            try {
                SinkPropertyCheck.check(e.event(), k, v);
            } catch (RegistryException x) {
                out.add(new Problem(subject, e.line(), "sinkProperties", x.getMessage()));
            }
        });
        Binding b = e.binding();
        if (b != null && b.failure() != null) {
            out.add(new Problem(subject, e.line(), "failure", "disabled by server after " + b.failure().failures()
                    + " failures at " + b.failure().at() + ": " + b.failure().cause()));
        }
        return out;
    }

    /** Fields whose text holds control characters (a hand-edited file), by field name. */
    private static Map<String, String> plainTextProblems(BindingEntry e) {
        Map<String, String> found = new LinkedHashMap<>();
        BiConsumer<String, String> check = (field, text) -> {
            String why = PlainText.problem(text);
            if (why != null) {
                found.putIfAbsent(field, why);
            }
        };
        check.accept("name", e.name());
        check.accept("event", e.event());
        check.accept("sinkClass", e.sinkClass()); // a rule with one does not parse: reported already
        e.sinkProperties().forEach((k, v) -> {
            check.accept("sinkProperties", k);
            check.accept("sinkProperties", v);
        });
        return found;
    }

    private void print(List<Problem> problems, int bindings, int plugins) {
        if (json) {
            ObjectNode n = Format.JSON.createObjectNode();
            n.put("ok", problems.isEmpty());
            n.put("bindings", bindings);
            n.put("plugins", plugins);
            ArrayNode a = n.putArray("problems");
            for (Problem p : problems) {
                ObjectNode o = a.addObject().put("subject", p.subject());
                if (p.line() > 0) {
                    o.put("line", p.line());
                } else {
                    o.putNull("line");
                }
                o.put("field", p.field()).put("problem", p.problem());
            }
            Format.print(spec.commandLine().getOut(), n);
        } else {
            Terminal out = Terminal.of(spec);
            problems.forEach(p -> out.println(p.subject() + (p.line() > 0 ? " (line " + p.line() + ")" : "") + ": "
                    + p.problem()));
            out.println(problems.isEmpty() ? "verify: ok (" + bindings + " binding(s), " + plugins + " plugin jar(s))"
                    : "verify: " + problems.size() + " problem(s)");
        }
    }
}
