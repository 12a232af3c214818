package dev.mailroot.server.admin;

import dev.mailroot.server.HomeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mailroot connector <plugin-id> <command> [--param NAME=VALUE]...}: runs any plugin
 * service's command, on the running server or, when none runs, offline ({@link ConnectorCall}).
 * The server names no plugin: {@code pop3-check} and {@code retrieve} are shortcuts over this.
 */
@Command(name = "connector", mixinStandardHelpOptions = true,
        description = "Runs a command of a plugin's service (MailrootService.command): in the running server through "
                + "its admin endpoint, or, when no server runs in the home, offline from the jar the server would load "
                + "(the service is not started: a command that needs a running service fails).",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the command succeeded (its report on stdout)",
                "1:the command failed (its report on stdout), or the server or the plugin could not be used (one line on stderr)",
                "2:usage or configuration error: a bad --param, a control character in a name, a missing argument",
                "3:unknown plugin: not loaded in the running server, not in the plugin folders, or without a service",
                "4:unknown command: the plugin's service has no such command"},
        footer = {"", "Examples:", "  bin/mailroot connector pop3-connector check --param account=carol-isp",
                "  bin/mailroot connector pop3-connector retrieve"})
public final class ConnectorCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Parameters(index = "0", paramLabel = "PLUGIN-ID", description = "The plugin (its Plugin-Id), e.g. pop3-connector.")
    String pluginId;
    @Parameters(index = "1", paramLabel = "COMMAND", description = "The command, e.g. check.")
    String command;
    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A parameter of the command (repeatable).")
    List<String> params;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ConnectorCall call = new ConnectorCall(options, spec.commandLine().getOut(), spec.commandLine().getErr());
        Map<String, String> p;
        try {
            p = ConnectorCall.params(params);
        } catch (ConnectorCall.Usage e) {
            CommandOutput.error(spec.commandLine().getErr(), e.getMessage());
            return ConnectorCall.USAGE;
        }
        return call.run(pluginId, command, p, ConnectorCall.Where.SERVER_OR_OFFLINE);
    }
}
