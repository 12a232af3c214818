package dev.mailroot.server.admin;

import dev.mailroot.bindings.AdminClient;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mailroot retrieve}: asks the running server to retrieve POP3 mail now (KB 885685's
 * "Retrieve Now") and prints its report.
 */
@Command(name = "retrieve", mixinStandardHelpOptions = true,
        description = "Retrieves POP3 mail now in the running server and prints, per account, the messages downloaded, "
                + "transferred and failed, and any error. Exit 0 if every account succeeded, 1 if not (or the server "
                + "is not running), 2 on a usage error.",
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
        Home h = options.home();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdminClient admin;
        AdminClient.Response r;
        try {
            admin = AdminClient.of(h.root());
            r = admin.post("/connectors/pop3-connector/retrieve",
                    account == null ? Map.of() : Map.of("account", account));
        } catch (IOException e) {
            CommandOutput.error(err, e.getMessage());
            return 1;
        }
        switch (r.status()) {
            case 200 -> {
                CommandOutput.report(out, r.body());
                return 0;
            }
            case 500 -> {
                CommandOutput.report(out, r.body());
                return 1;
            }
            case 401 -> CommandOutput.error(err, "the server refused the token in " + h.adminTokenFile()
                    + " (is the server on 127.0.0.1:" + admin.port() + " this home's?)");
            default -> CommandOutput.error(err, r.body().replaceAll("\\s*\\R\\s*", " "));
        }
        return 1;
    }
}
