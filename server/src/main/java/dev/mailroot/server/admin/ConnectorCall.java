package dev.mailroot.server.admin;

import dev.mailroot.bindings.AdminClient;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.host.plugins.PluginManifest;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.MailrootServer;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.plugins.OfflineCommand;
import dev.mailroot.sink.CommandResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One plugin service's command ({@code MailrootService.command}) as {@code bin/mailroot connector}
 * and its shortcuts ({@code pop3-check}, {@code retrieve}) run it: on the running server through the
 * admin endpoint ({@code POST /connectors/<plugin-id>/<command>}), or, when no server runs in the
 * home, offline ({@link OfflineCommand}). The report goes to stdout, line by line with its control
 * characters escaped; anything else is one line on stderr, and the exit status says which case it is.
 */
final class ConnectorCall {
    /** The command did what was asked. */
    static final int OK = 0;
    /** The command ran and failed (its report says why), or the server or the plugin could not be used. */
    static final int FAILED = 1;
    /** A usage or configuration error: nothing ran. */
    static final int USAGE = 2;
    /** No such plugin: not loaded in the running server, or not in the plugin folders, or without a service. */
    static final int UNKNOWN_PLUGIN = 3;
    /** The plugin's service has no such command. */
    static final int UNKNOWN_COMMAND = 4;

    /** Where a command may run. */
    enum Where {
        /** In the running server, else offline. */
        SERVER_OR_OFFLINE,
        /** Only in the running server (a command that needs a started service, such as {@code retrieve}). */
        SERVER_ONLY
    }

    /** A usage error, said in one line. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    private final HomeOptions options;
    private final PrintWriter out;
    private final PrintWriter err;

    ConnectorCall(HomeOptions options, PrintWriter out, PrintWriter err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /**
     * {@code --param k=v} options as parameters, in order (a later one wins).
     *
     * @throws Usage for one without '=', with an empty or odd name, or with a control character
     */
    static Map<String, String> params(List<String> given) throws Usage {
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : given == null ? List.<String>of() : given) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new Usage("--param '" + ControlCharacters.escape(p) + "' is not NAME=VALUE");
            }
            String name = p.substring(0, eq);
            String value = p.substring(eq + 1);
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                throw new Usage("--param '" + ControlCharacters.escape(p) + "': the name must be letters, digits, '.', '_' "
                        + "or '-', starting with a letter or digit");
            }
            if (ControlCharacters.indexOf(value) >= 0) {
                throw new Usage("--param '" + ControlCharacters.escape(p) + "': the value contains a control character");
            }
            params.put(name, value);
        }
        return params;
    }

    /** Checks the plugin id and command name (what they may contain), then runs the command; the exit status. */
    int run(String pluginId, String command, Map<String, String> params, Where where) throws InterruptedException {
        Home h = options.home();
        CommandOutput.quietLogging(h);
        for (String name : List.of(pluginId, command)) {
            if (ControlCharacters.indexOf(name) >= 0) {
                return error(USAGE, "'" + ControlCharacters.escape(name) + "' contains a control character");
            }
        }
        if (!PluginManifest.isPluginId(pluginId)) {
            return error(USAGE, "'" + ControlCharacters.escape(pluginId) + "' is not a plugin id (letters, digits, '.', '_', "
                    + "'-', starting with a letter or digit)");
        }
        if (!command.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            return error(USAGE, "'" + ControlCharacters.escape(command) + "' is not a command name (letters, digits, '.', "
                    + "'_', '-', starting with a letter or digit)");
        }
        AdminClient admin;
        try {
            admin = AdminClient.of(h.root());
            return online(admin, h, pluginId, command, params);
        } catch (AdminClient.NotRunningException e) {
            if (where == Where.SERVER_ONLY) {
                return error(FAILED, e.getMessage());
            }
        } catch (IOException e) {
            return error(FAILED, e.getMessage());
        }
        return offline(h, pluginId, command, params);
    }

    private int online(AdminClient admin, Home h, String pluginId, String command, Map<String, String> params)
            throws IOException, InterruptedException {
        AdminClient.Response r = admin.post("/connectors/" + pluginId + "/" + command, params);
        if (AdminClient.UNKNOWN_PLUGIN.equals(r.refusal())) {
            return error(UNKNOWN_PLUGIN, "no plugin '" + pluginId + "' with a service runs in the server of " + h.root()
                    + " (is its jar in plugins/ and loaded? see registry sinks)");
        }
        if (AdminClient.UNKNOWN_COMMAND.equals(r.refusal())) {
            return error(UNKNOWN_COMMAND, "plugin '" + pluginId + "': " + r.body());
        }
        if (AdminClient.COMMAND_ERROR.equals(r.refusal())) {
            return error(FAILED, "plugin '" + pluginId + "' " + command + ": " + r.body());
        }
        return switch (r.status()) {
            case 200 -> report(OK, r.body());
            case 500 -> report(FAILED, r.body());
            case 401 -> error(FAILED, "the server refused the token in " + h.adminTokenFile()
                    + " (is the server on 127.0.0.1:" + admin.port() + " this home's?)");
            default -> error(FAILED, r.body());
        };
    }

    private int offline(Home h, String pluginId, String command, Map<String, String> params) {
        MailrootConfig c;
        try {
            c = options.config(h);
        } catch (ConfigException e) {
            return error(USAGE, e.getMessage());
        }
        CommandResult r;
        try {
            r = OfflineCommand.run(MailrootServer.pluginFolders(h, c), MailrootServer.serviceEnvironment(h, c),
                    pluginId, command, params);
        } catch (OfflineCommand.NoSuchPlugin e) {
            return error(UNKNOWN_PLUGIN, e.getMessage());
        } catch (OfflineCommand.LoadFailed e) {
            return error(FAILED, e.getMessage());
        } catch (Exception e) {
            return error(FAILED, "plugin '" + pluginId + "' " + command + ": the command failed: " + e);
        }
        return switch (r.outcome()) {
            case OK -> report(OK, r.report());
            case FAILED -> report(FAILED, r.report());
            case UNKNOWN_COMMAND -> error(UNKNOWN_COMMAND, "plugin '" + pluginId + "': " + r.report());
        };
    }

    private int report(int exit, String report) {
        CommandOutput.report(out, report);
        return exit;
    }

    private int error(int exit, String message) {
        CommandOutput.error(err, message.replaceAll("\\s*\\R\\s*", " "));
        return exit;
    }
}
