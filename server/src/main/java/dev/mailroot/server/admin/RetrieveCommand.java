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
 * {@code mailroot retrieve}: the shortcut for {@code mailroot connector pop3-connector retrieve
 * [--param account=NAME]} (KB 885685's "Retrieve Now"), in the running server only: a retrieval
 * needs the started connector.
 */
@Command(name = "retrieve", mixinStandardHelpOptions = true,
        description = "Retrieves POP3 mail now in the running server and prints, per account, the messages downloaded, "
                + "transferred and failed, and any error. Short for: connector pop3-connector retrieve "
                + "[--param account=NAME], in the running server only. Exit 0 if every account succeeded, 1 if not "
                + "(or the server is not running), 2 on a usage error, 3 if the POP3 connector is not loaded.",
        footer = {"", "Example:", "  bin/mailroot retrieve --account carol-isp"})
public final class RetrieveCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Option(names = "--account", paramLabel = "NAME", description = "Only this account.")
    String account;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return new ConnectorCall(options, spec.commandLine().getOut(), spec.commandLine().getErr()).run(
                "pop3-connector", "retrieve", account == null ? Map.of() : Map.of("account", account),
                ConnectorCall.Where.SERVER_ONLY);
    }
}
