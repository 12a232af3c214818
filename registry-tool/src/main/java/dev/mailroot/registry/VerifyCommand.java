package dev.mailroot.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

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

    private record Problem(String subject, String problem) {
    }

    @Override
    public Integer call() {
        List<Problem> problems = new ArrayList<>();
        List<PluginJar> jars = home.jars();
        for (PluginJar j : jars) {
            String subject = "plugin jar " + j.jar().getFileName();
            if (!j.loads()) {
                problems.add(new Problem(subject, "does not load: " + j.error()));
            }
            j.warnings().forEach(w -> problems.add(new Problem(subject, w)));
        }
        BindingRegistry registry = null;
        try {
            registry = home.store().read();
        } catch (BindingStoreException e) {
            problems.add(new Problem("bindings.yaml", e.getMessage()));
        }
        int count = 0;
        if (registry != null) {
            Catalog catalog = new Catalog(jars);
            Map<String, Integer> names = new HashMap<>();
            registry.bindings().forEach(b -> names.merge(b.event() + "\u0000" + b.name(), 1, Integer::sum));
            for (Binding b : registry.bindings()) {
                count++;
                String subject = "binding '" + b.name() + "' " + b.id();
                String status = catalog.status(b);
                if (!status.equals("ok")) {
                    problems.add(new Problem(subject, status));
                }
                if (names.get(b.event() + "\u0000" + b.name()) > 1) {
                    problems.add(new Problem(subject, "another " + b.event() + " binding has the same name; "
                            + "commands must name these by id"));
                }
                b.sinkProperties().forEach((k, v) -> {
                    try {
                        SinkPropertyCheck.check(k, v);
                    } catch (RegistryException e) {
                        problems.add(new Problem(subject, e.getMessage()));
                    }
                });
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode n = Format.JSON.createObjectNode();
            n.put("ok", problems.isEmpty());
            n.put("bindings", count);
            n.put("plugins", jars.size());
            ArrayNode a = n.putArray("problems");
            problems.forEach(p -> a.addObject().put("subject", p.subject()).put("problem", p.problem()));
            Format.print(out, n);
        } else {
            problems.forEach(p -> out.println(p.subject() + ": " + p.problem()));
            out.println(problems.isEmpty() ? "verify: ok (" + count + " binding(s), " + jars.size() + " plugin jar(s))"
                    : "verify: " + problems.size() + " problem(s)");
        }
        return problems.isEmpty() ? 0 : 1;
    }
}
