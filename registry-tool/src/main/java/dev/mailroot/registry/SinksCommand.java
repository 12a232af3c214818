package dev.mailroot.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.Binding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "sinks", aliases = "/sinks", mixinStandardHelpOptions = true, description = "Lists each plugin jar in the plugin folders "
        + "(plugins/ and the bundled plugins): id, version, whether it loads (or why not), its sink classes and events, and its "
        + "declared default bindings, read from the jar without running its code; and, when a server runs, what that server made "
        + "of it (Server: loaded, not used, does not load...). The first line says whether a server answered.",
        footer = {"", "Example:", "  registry sinks", "  registry sinks --json"})
final class SinksCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Option(names = "--json", description = "Print a JSON array for scripts.")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<PluginJar> jars = home.jars();
        ServerView server = ServerView.of(home.root());
        if (json) {
            ArrayNode a = Format.array();
            for (PluginJar j : jars) {
                ObjectNode n = a.addObject();
                n.put("jar", j.jar().getFileName().toString());
                n.put("path", j.jar().toString());
                n.put("folder", j.folder());
                n.put("pluginId", j.pluginId());
                n.put("version", j.version());
                n.put("state", j.loads() ? "loads" : "does not load");
                n.put("error", j.error());
                Optional<ServerView.JarView> live = server.jar(j.jar());
                if (live.isPresent()) {
                    n.putObject("server").put("state", live.get().state()).put("detail", live.get().detail());
                } else {
                    n.putNull("server");
                }
                ArrayNode sinks = n.putArray("sinks");
                for (PluginJar.Sink s : j.sinks()) {
                    ObjectNode sn = sinks.addObject();
                    sn.put("className", s.className());
                    s.events().forEach(sn.putArray("events")::add);
                }
                ArrayNode defaults = n.putArray("defaultBindings");
                j.defaultBindings().forEach(b -> defaults.add(Format.json(b, null)));
                j.warnings().forEach(n.putArray("warnings")::add);
            }
            Format.print(spec.commandLine().getOut(), a);
            return 0;
        }
        Terminal out = Terminal.of(spec);
        out.println(server.source());
        if (jars.isEmpty()) {
            out.println("no plugin jars in " + home.pluginFolders().folders().stream().map(f -> f.dir().toString()).toList());
        }
        for (PluginJar j : jars) {
            out.println("Plugin: " + (j.pluginId() == null ? "?" : j.pluginId()) + " " + (j.version() == null ? "" : j.version())
                    + " (" + j.jar().getFileName() + (j.folder().equals("plugins/") ? "" : ", " + j.folder() + ": " + j.jar()) + ")");
            out.println("  State: " + (j.loads() ? "loads" : "does not load: " + j.error()));
            if (server.running()) {
                out.println("  Server: " + server.jar(j.jar()).map(v -> v.state() + (v.detail().isEmpty() ? "" : ": " + v.detail()))
                        .orElse("not seen yet (a jar is loaded once it has stopped changing)"));
            }
            for (PluginJar.Sink s : j.sinks()) {
                out.println("  Sink: " + s.className() + " " + s.events());
            }
            for (Binding b : j.defaultBindings()) {
                out.println("  Default binding: '" + b.name() + "' " + b.id() + " rule=" + (b.rule() == null ? "(always)" : b.rule())
                        + " priority=" + b.priority() + " enabled=" + (b.enabled() ? "True" : "False")
                        + (b.sinkProperties().isEmpty() ? "" : " props " + Format.props(b.sinkProperties())));
            }
            for (String w : j.warnings()) {
                out.println("  Warning: " + w);
            }
        }
        return 0;
    }
}
