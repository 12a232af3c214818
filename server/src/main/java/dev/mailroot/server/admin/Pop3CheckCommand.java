package dev.mailroot.server.admin;

import dev.mailroot.server.HomeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mailroot pop3-check}: the shortcut for {@code mailroot connector pop3-connector check
 * [--param account=NAME]} (KB 885685's telnet test, done for each configured POP3 account).
 */
@Command(name = "pop3-check", mixinStandardHelpOptions = true,
        description = "For each POP3 connector account: connects, prints the banner, the USER and PASS replies, "
                + "STAT (messages and size), QUIT, and a one-line verdict. Works with the server stopped. "
                + "Short for: connector pop3-connector check [--param account=NAME]. "
                + "Exit 0 if every account passed, 1 if not, 2 on a usage or configuration error, 3 if the POP3 "
                + "connector is not there.",
        footer = {"", "Example:", "  bin/mailroot pop3-check --account carol-isp"})
public final class Pop3CheckCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Option(names = "--account", paramLabel = "NAME", description = "Only this account.")
    String account;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return new ConnectorCall(options, spec.commandLine().getOut(), spec.commandLine().getErr()).run(
                "pop3-connector", "check", account == null ? Map.of() : Map.of("account", account),
                ConnectorCall.Where.SERVER_OR_OFFLINE);
    }
}
