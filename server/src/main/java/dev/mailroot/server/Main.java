package dev.mailroot.server;


import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Versions;
import dev.mailroot.server.admin.ConnectorCommand;
import dev.mailroot.server.admin.Pop3CheckCommand;
import dev.mailroot.server.admin.RetrieveCommand;
import dev.mailroot.server.admin.WaitCommand;
import dev.mailroot.server.admin.TraceCommand;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.spool.Spool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code mailroot [--home DIR] [--config FILE]}: runs the server until SIGTERM or Ctrl-C, then
 * stops gracefully and exits 0. Exit 2: bad configuration or usage; exit 1: cannot start; exit 3:
 * stopped without a stop request (plugin code called {@code System.exit}, or a fatal error).
 */
@Command(name = "mailroot", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs the Mailroot SMTP server. SIGTERM or Ctrl-C stops it gracefully.",
        exitCodeOnInvalidInput = 2,
        subcommands = {ConnectorCommand.class, RetrieveCommand.class, Pop3CheckCommand.class, WaitCommand.class,
                TraceCommand.class, dev.mailroot.server.admin.MailboxCommand.class,
                dev.mailroot.server.admin.QueueCommand.class, dev.mailroot.server.admin.FolderCommand.class,
                dev.mailroot.server.admin.DoctorCommand.class, dev.mailroot.server.admin.AdminPasswordCommand.class})
public final class Main implements Callable<Integer> {

    @Mixin
    private HomeOptions options;
    @Spec
    private CommandSpec spec;

    /** {@code --version}: the version as built. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"Mailroot " + Versions.BUILD};
        }
    }

    public static void main(String[] args) {
        noDelayForAdminEndpoint();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("mailroot: " + ControlCharacters.escape(String.valueOf(e).replaceAll("\\s*[\\r\\n]+\\s*", " ")));
            return 1;
        });
        int exit = cli.execute(args);
        // what a command printed without a newline is still in the writers: System.exit would drop it
        out.flush();
        err.flush();
        System.exit(exit);
    }

    static final String NODELAY = "sun.net.httpserver.nodelay";

    /**
     * The JDK's HttpServer (the admin endpoint) leaves Nagle's algorithm on for accepted sockets, so a
     * keep-alive client meets the delayed-ACK wait on every request: 44 ms per {@code GET /health}
     * instead of under 1 ms (docs/installing.md). Read once, when the first HttpServer is created; a
     * value the user set with {@code -D} wins.
     */
    static void noDelayForAdminEndpoint() {
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        // not AdminEndpoint.limitRequestTime(): loading that class starts the logging before main has
        // pointed it at the home's logs folder
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "30");
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        Home h = options.home();
        MailrootConfig cfg;
        try {
            cfg = options.config(h);
        } catch (ConfigException e) {
            System.err.println("mailroot: " + ControlCharacters.escape(e.getMessage()));
            return 2;
        }
        // before the first logger exists: the file appender writes to <home>/logs
        System.setProperty("mailroot.logs", h.logs().toString());
        // SIGTERM or Ctrl-C: stop gracefully, then exit 0 (not the JVM's 143/130); anything else
        // that ends the process stops the server the same way but exits 3
        ProcessExit exit = ProcessExit.install();
        MailrootServer server;
        try {
            server = MailrootServer.start(h, cfg, Clock.systemDefaultZone());
        } catch (Spool.LockedException e) {
            System.err.println("mailroot: " + ControlCharacters.escape(e.getMessage()));
            exit.exit(1);
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("mailroot: cannot start: " + ControlCharacters.escape(String.valueOf(
                    e instanceof IOException ? e.getMessage() : e).replaceAll("\\s*[\\r\\n]+\\s*", " ")));
            exit.exit(1);
            return 1;
        }
        exit.serving(server);
        spec.commandLine().getOut().println(WaitCommand.readyLine(server.smtpAddresses(),
                server.adminPort(), h.root().toString()));
        spec.commandLine().getOut().flush();
        exit.await();
        return ProcessExit.STOPPED;
    }
}
