package dev.mailroot.server.admin;

import dev.mailroot.server.Home;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.plugins.OfflineCommand;
import dev.mailroot.sink.CommandResult;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.MailrootServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mailroot pop3-check}: KB 885685's telnet test, done for each configured POP3 account. Works
 * with the server stopped: it loads the connector from {@code plugins/} on its own.
 */
@Command(name = "pop3-check", mixinStandardHelpOptions = true,
        description = "For each POP3 connector account: connects, prints the banner, the USER and PASS replies, "
                + "STAT (messages and size), QUIT, and a one-line verdict. Works with the server stopped. "
                + "Exit 0 if every account passed, 1 if not, 2 on a usage or configuration error.",
        footer = {"", "Example:", "  bin/mailroot pop3-check --account carol-isp"})
public final class Pop3CheckCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Option(names = "--account", paramLabel = "NAME", description = "Only this account.")
    String account;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Home h = options.home();
        CommandOutput.quietLogging(h);
        MailrootConfig c;
        try {
            c = options.config(h);
        } catch (ConfigException e) {
            CommandOutput.error(spec.commandLine().getErr(), e.getMessage());
            return 2;
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (account != null) {
            params.put("account", account);
        }
        CommandResult r;
        try {
            r = OfflineCommand.run(MailrootServer.pluginFolders(h, c), MailrootServer.serviceEnvironment(h, c),
                    "pop3-connector", "check", params);
        } catch (OfflineCommand.NoSuchPlugin | OfflineCommand.LoadFailed e) {
            CommandOutput.error(spec.commandLine().getErr(), e.getMessage());
            return 2;
        }
        CommandOutput.report(spec.commandLine().getOut(), r.report());
        return switch (r.outcome()) {
            case OK -> 0;
            case FAILED -> 1;
            case UNKNOWN_COMMAND -> 2;
        };
    }
}
