package dev.mailroot.server.console;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.dispatch.BindingChain;
import dev.mailroot.server.plugins.LoadedSink;
import dev.mailroot.server.plugins.PluginHost;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /ui/bindings}: what {@code registry enum} lists, per event in run order, with each
 * binding's state and figures, and the buttons of {@code registry enable|disable|reregister}. Changes
 * go to {@code conf/bindings.yaml} through the same store the registry tool uses; the server picks
 * them up as it does the tool's.
 */
final class BindingsView implements Console.View {
    private final ConsoleServices s;

    BindingsView(ConsoleServices s) {
        this.s = s;
    }

    @Override
    public Console.Answer get(Console.Request r) throws Exception {
        BindingRegistry registry = s.bindings().read();
        BindingChain chain = s.live().chain();
        StringBuilder b = new StringBuilder("<p class=\"hint\">From <code>").append(Html.esc(s.bindings().file()))
                .append("</code>; the same list as <code>bin/registry enum</code>. Sinks run in priority order (lowest first).</p>");
        List<String> events = new ArrayList<>(Events.ALL);
        registry.bindings().stream().map(Binding::event).filter(e -> !events.contains(e)).distinct().forEach(events::add);
        for (String event : events) {
            List<Binding> list = registry.bindings().stream().filter(x -> x.event().equals(event)).sorted(Binding.RUN_ORDER).toList();
            if (list.isEmpty()) {
                continue;
            }
            b.append("<h2>").append(Html.esc(event)).append("</h2>");
            List<List<String>> rows = new ArrayList<>();
            for (Binding x : list) {
                boolean provided = chain != null && chain.provided(x);
                String state = !x.enabled() ? x.failure() != null ? "disabled by the server" : "disabled"
                        : provided ? "enabled" : "sink missing";
                String detail = x.failure() == null ? "" : "<br><span class=\"hint\">after " + x.failure().failures() + " failures at "
                        + Html.time(x.failure().at()) + ": " + Html.esc(x.failure().cause()) + "</span>";
                String figures = Extras.bindingFigures(s, x.name());
                rows.add(List.of(String.valueOf(x.priority()), "<span class=\"name\">" + Html.esc(x.name()) + "</span><br><code>"
                                + Html.esc(x.id()) + "</code>", "<code>" + Html.esc(x.rule() == null ? "" : x.rule()) + "</code>",
                        "<code>" + Html.esc(x.sinkClass()) + "</code><br>" + Html.esc(plugin(x).orElse(provided ? "" : "no plugin provides it")),
                        "<span class=\"state\">" + Html.badge(x.enabled() && provided ? "enabled" : state) + "</span>" + detail
                                + (provided || !x.enabled() ? "" : "<br><span class=\"hint\">" + Html.esc(BindingStatus.whenMissing(x)) + "</span>"),
                        figures, actions(r, x)));
            }
            b.append(Html.table("bindings-" + event, List.of("priority", "binding", "rule", "sink", "state", "calls", ""), rows, ""));
        }
        if (registry.bindings().isEmpty()) {
            b.append("<p class=\"empty\">No bindings. Drop a plugin jar into <code>plugins/</code> or add one with "
                    + "<code>bin/registry add</code>.</p>");
        }
        b.append(plugins(r));
        return new Console.Page("Bindings", "bindings", b.toString());
    }

    private Optional<String> plugin(Binding x) {
        PluginHost host = s.live().plugins();
        return host == null ? Optional.empty() : host.catalog().sink(x.sinkClass()).map(LoadedSink::pluginId);
    }

    private static String actions(Console.Request r, Binding x) {
        return x.enabled() ? Html.button("/ui/bindings", r.session().csrf, "Disable", "danger", "action", "disable", "id", x.id())
                : Html.button("/ui/bindings", r.session().csrf, "Enable", "primary", "action", "enable", "id", x.id());
    }

    private String plugins(Console.Request r) {
        PluginHost host = s.live().plugins();
        if (host == null) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (PluginHost.JarState j : host.jars()) {
            rows.add(List.of(Html.esc(j.pluginId()), Html.esc(j.version()), Html.badge(j.state().equals("loaded") ? "loaded" : j.state())
                    + (j.detail().isEmpty() ? "" : "<br><span class=\"hint\">" + Html.esc(j.detail()) + "</span>"),
                    "<code>" + Html.esc(j.jar()) + "</code>", j.state().equals("loaded") ? Html.button("/ui/bindings",
                            r.session().csrf, "Re-register", "", "action", "reregister", "plugin", j.pluginId()) : ""));
        }
        return "<h2>Plugins</h2><p class=\"hint\">Re-register puts back a plugin's default bindings and re-enables those the "
                + "server disabled after failures (<code>bin/registry reregister &lt;plugin&gt;</code>).</p>"
                + Html.table("plugins", List.of("plugin", "version", "state", "jar", ""), rows, "No plugin jar in the plugin folders.");
    }

    @Override
    public Console.Answer post(Console.Request r) throws Exception {
        String action = r.param("action");
        if ("reregister".equals(action)) {
            String plugin = r.param("plugin");
            PluginHost host = s.live().plugins();
            Optional<List<String>> changes = host == null || plugin == null ? Optional.empty() : host.reregister(plugin);
            if (changes.isEmpty()) {
                return new Console.Redirect("/ui/bindings", "no loaded plugin '" + plugin + "'", true);
            }
            return new Console.Redirect("/ui/bindings", changes.get().isEmpty() ? "re-registered plugin " + plugin
                    + ": nothing to change (its default bindings are registered and none is disabled by the server)"
                    : "re-registered plugin " + plugin + ": " + String.join("; ", changes.get()), false);
        }
        if (!"enable".equals(action) && !"disable".equals(action)) {
            return new Console.Text(400, "400: unknown action\n");
        }
        String id = r.param("id");
        boolean enable = action.equals("enable");
        Optional<Binding> found = id == null ? Optional.empty() : s.bindings().read().byId(id);
        if (found.isEmpty()) {
            return new Console.Redirect("/ui/bindings", "no binding " + id + " in " + s.bindings().file(), true);
        }
        s.bindings().update(reg -> reg.byId(id).isEmpty() ? reg : reg.change(id, y -> y.withEnabled(enable)));
        return new Console.Redirect("/ui/bindings", (enable ? "enabled" : "disabled") + " binding '" + found.get().name() + "' " + id
                + " (written to " + s.bindings().file().getFileName() + ")", false);
    }
}
