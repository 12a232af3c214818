package dev.mailroot.server.admin;

import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import org.springframework.security.crypto.bcrypt.BCrypt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;

/**
 * {@code mailroot admin-password}: sets the web console's admin password (its bcrypt hash in
 * {@code mailroot/admin.password}, mode 0600), or removes it; the console reads it at each login, so
 * no restart is needed. The admin token logs in too, with or without a password.
 */
@Command(name = "admin-password", mixinStandardHelpOptions = true,
        description = "Sets the web console's admin password (read from the terminal, or one line of standard input), "
                + "or removes it with --remove. Exit 0 done, 1 failed, 2 usage error.",
        footer = {"", "Examples:", "  bin/mailroot admin-password", "  bin/mailroot admin-password < password.txt",
                "  bin/mailroot admin-password --remove"})
public final class AdminPasswordCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Option(names = "--remove", description = "Removes the password: only the admin token logs in.")
    boolean remove;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Home home = options.home();
            CommandOutput.quietLogging(home);
            if (!Files.isDirectory(home.mailroot())) {
                CommandOutput.error(err, home.root() + " is not a Mailroot home (no mailroot/ folder): start the server once first");
                return 1;
            }
            if (remove) {
                boolean was = Files.deleteIfExists(home.adminPasswordFile());
                CommandOutput.report(out, was ? "removed the admin password: only the admin token logs in to the console"
                        : "no admin password was set");
                return 0;
            }
            String password = MailboxCommand.newPassword("the admin");
            AdminToken.writeSecret(home.adminPasswordFile(), BCrypt.hashpw(password, BCrypt.gensalt(12)) + "\n");
            CommandOutput.report(out, "admin password set (bcrypt, cost 12, in " + home.adminPasswordFile()
                    + "): log in to the console at http://127.0.0.1:<admin port>/ui/");
            return 0;
        } catch (MailboxCommand.Usage e) {
            CommandOutput.error(err, e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            CommandOutput.error(err, e.getMessage() == null ? e.toString() : e.getMessage());
            return 1;
        }
    }
}
