package dev.mailroot.server.console;

import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.server.config.LogLevels;
import dev.mailroot.server.plugins.PluginHost;
import dev.mailroot.sink.CommandResult;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /ui/pop3}: the SBS "POP3 Connector Manager" — the accounts and their last runs, Retrieve
 * now, the account check, and the connector's log level. Every button runs the connector's own
 * command, as {@code bin/mailroot retrieve} and {@code pop3-check} do.
 */
final class Pop3View implements Console.View {
    static final String PLUGIN = "pop3-connector";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");
    private final ConsoleServices s;

    Pop3View(ConsoleServices s) {
        this.s = s;
    }

    @Override
    public Console.Answer get(Console.Request r) throws Exception {
        StringBuilder b = new StringBuilder();
        PluginHost host = s.live().plugins();
        Optional<CommandResult> status = host == null ? Optional.empty() : call(host, "status", Map.of(), 15);
        if (status.isEmpty()) {
            b.append("<p class=\"flash error\" id=\"pop3-missing\">The POP3 connector is not running: its plugin is not loaded "
                    + "(see the Bindings page for the plugin's state).</p>");
            return new Console.Page("POP3 connector", "pop3", b.toString());
        }
        String csrf = r.session().csrf;
        b.append("<p>").append(Html.button("/ui/pop3", csrf, "Retrieve now (all accounts)", "primary", "action", "retrieve"))
                .append(Html.button("/ui/pop3", csrf, "Check all accounts", "", "action", "check")).append("</p>");
        b.append("<h2>Accounts</h2>");
        List<List<String>> rows = new ArrayList<>();
        if (status.get().outcome() == CommandResult.Outcome.UNKNOWN_COMMAND) {
            b.append("<p class=\"hint\">This version of the connector cannot report its accounts' state.</p>");
        } else {
            Instant now = s.clock().instant();
            for (String line : status.get().report().split("\n")) {
                if (!line.startsWith("{")) {
                    if (!line.isBlank()) {
                        b.append("<p class=\"flash error\">").append(Html.esc(line)).append("</p>");
                    }
                    continue;
                }
                try {
                    JsonNode a = JSON.readTree(line);
                    String name = a.path("account").asText();
                    String last = a.path("lastRun").isTextual() ? Html.time(Instant.parse(a.path("lastRun").asText())) + " ("
                            + Html.age(Instant.parse(a.path("lastRun").asText()), now) + " ago)" : "not yet";
                    String error = a.path("lastError").isTextual() ? "<br>" + Html.badge("fail") + " " + Html.esc(a.path("lastError").asText()) : "";
                    rows.add(List.of("<span class=\"name\">" + Html.esc(name) + "</span>",
                            Html.esc(a.path("user").asText()) + "@" + Html.esc(a.path("host").asText()) + ":" + a.path("port").asText(),
                            "every " + Html.esc(a.path("intervalMinutes").asText()) + " min",
                            last + (a.path("running").asBoolean() ? " " + Html.badge("warn").replace(">warn<", ">running<") : "") + error,
                            a.path("lastSuccess").isTextual() ? Html.time(Instant.parse(a.path("lastSuccess").asText())) : "never",
                            a.path("downloaded").asText("0") + " downloaded, " + a.path("failed").asText("0") + " failed",
                            Html.button("/ui/pop3", csrf, "Retrieve now", "", "action", "retrieve", "account", name)
                                    + Html.button("/ui/pop3", csrf, "Check", "", "action", "check", "account", name)));
                } catch (java.io.IOException | RuntimeException e) {
                    b.append("<p class=\"flash error\">The connector's status line cannot be read: ").append(Html.esc(line))
                            .append("</p>");
                }
            }
        }
        b.append(Html.table("accounts", List.of("account", "remote mailbox", "schedule", "last run", "last success", "totals", ""), rows,
                "No account in conf/pop3-connector.yaml."));
        Path data = s.home().mailroot().resolve("pop3");
        b.append("<h2>Folders</h2>").append(Html.table("pop3-folders", List.of("folder", "files", "what it means"), List.of(
                List.of("<code>" + Html.esc(data.resolve("incoming")) + "</code>", String.valueOf(StatusView.count(data.resolve("incoming"), "")),
                        "downloaded, not yet handed to pickup (normally empty)"),
                List.of("<code>" + Html.esc(data.resolve("failed")) + "</code>", String.valueOf(StatusView.count(data.resolve("failed"), "")),
                        "could not be handed over; each has a reason file")), ""));
        b.append("<h2>Log level</h2><form method=\"post\" action=\"/ui/pop3\" class=\"stack\">").append(Html.csrfField(csrf))
                .append("<input type=\"hidden\" name=\"action\" value=\"log-level\"><label>level of <code>plugin.pop3-connector</code>"
                        + "<select name=\"level\" id=\"log-level\">");
        String current = level();
        for (String l : List.of("error", "warn", "info", "debug", "trace")) {
            b.append("<option").append(l.equals(current) ? " selected" : "").append('>').append(l).append("</option>");
        }
        b.append("</select></label><button type=\"submit\">Set</button></form><p class=\"hint\">Until the server restarts; "
                + "to keep it, set <code>logging: {pop3-connector: debug}</code> in <code>conf/mailroot.yaml</code>.</p>");
        return new Console.Page("POP3 connector", "pop3", b.toString());
    }

    /**
     * Runs a connector command; one that throws (an exception or an {@code Error} from plugin code)
     * is a failed result on the page, not a failed page.
     */
    private static Optional<CommandResult> call(PluginHost host, String command, Map<String, String> params, int seconds) {
        try {
            return host.command(PLUGIN, command, params, java.time.Duration.ofSeconds(seconds));
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(Pop3View.class).error("MR1011 the POP3 connector's {} command failed: {}", command,
                    e.toString(), e);
            return Optional.of(CommandResult.failed("the connector's " + command + " command failed: " + e.getMessage()));
        }
    }

    private static String level() {
        return ((Logger) LoggerFactory.getLogger(LogLevels.loggerName(PLUGIN))).getEffectiveLevel().toString().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Console.Answer post(Console.Request r) throws Exception {
        String action = r.param("action");
        if ("log-level".equals(action)) {
            String level = r.param("level");
            if (level == null || !LEVELS.contains(level)) {
                return new Console.Text(400, "400: not a log level\n");
            }
            LogLevels.apply(Map.of(PLUGIN, level));
            return new Console.Redirect("/ui/pop3", "log level of the POP3 connector set to " + level + " (until restart)", false);
        }
        if (!"retrieve".equals(action) && !"check".equals(action)) {
            return new Console.Text(400, "400: unknown action\n");
        }
        String account = r.param("account");
        PluginHost host = s.live().plugins();
        Optional<CommandResult> result = host == null ? Optional.empty()
                : call(host, action, account == null || account.isBlank() ? Map.of() : Map.of("account", account), 120);
        if (result.isEmpty()) {
            return new Console.Redirect("/ui/pop3", "the POP3 connector is not running", true);
        }
        CommandResult c = result.get();
        return new Console.Redirect("/ui/pop3", (action.equals("retrieve") ? "Retrieve now" : "Check") + ": " + c.report().strip(),
                c.outcome() != CommandResult.Outcome.OK);
    }
}
