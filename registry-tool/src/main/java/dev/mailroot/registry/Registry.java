package dev.mailroot.registry;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.Versions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * {@code registry}: lists and edits the binding registry ({@code conf/bindings.yaml}) and inspects
 * the plugins folder, the way {@code cscript smtpreg.vbs} did for IIS. Works whether the server
 * runs or not; a running server applies a change within 2 seconds.
 *
 * <p>Exit codes: 0 success, 1 problems found by {@code verify}, 2 a usage or input error (one line
 * on stderr, never a stack trace).
 */
@Command(name = "registry", mixinStandardHelpOptions = true, versionProvider = Registry.Version.class,
        description = "Lists and edits Mailroot's event-sink bindings (conf/bindings.yaml), like smtpreg.vbs.",
        subcommands = {EnumCommand.class, AddCommand.class, RemoveCommand.class, EnableCommand.class,
                DisableCommand.class, SetpropCommand.class, DelpropCommand.class, ReregisterCommand.class,
                SinksCommand.class, TestCommand.class, VerifyCommand.class},
        footer = {"", "Exit codes: 0 success, 1 problems found by verify, 2 usage or input error.",
                "Every verb also answers to its smtpreg spelling: registry /enum, registry /add ..."})
public final class Registry implements Runnable {

    @Spec
    CommandSpec spec;

    /** {@code --version}: the version as built, the same as {@code mailroot --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"Mailroot registry " + Versions.BUILD};
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a verb is missing: enum, add, remove, enable, disable, "
                + "setprop, delprop, reregister, sinks, test or verify");
    }

    public static void main(String[] args) {
        // the tool logs nothing; PF4J's SLF4J calls go nowhere instead of printing a warning
        System.setProperty("slf4j.provider", "org.slf4j.helpers.NOPServiceProvider");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Registry());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            String verb = e.getCommandLine().getCommandName();
            String message = e.getMessage();
            if (verb.equals("registry") && e instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getUnmatched().isEmpty()) {
                message = "unknown verb '" + u.getUnmatched().get(0) + "'; the verbs are enum, add, remove, enable, "
                        + "disable, setprop, delprop, reregister, sinks, test, verify";
            }
            err.println("registry: " + oneLine(message) + " (see 'registry "
                    + (verb.equals("registry") ? "" : verb + " ") + "--help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("registry: " + (e instanceof RegistryException ? oneLine(e.getMessage())
                    : "unexpected error: " + oneLine(String.valueOf(e))));
            return 2;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** An error message as one line: line breaks become spaces, other control characters are escaped. */
    static String oneLine(String s) {
        return s == null ? "" : ControlCharacters.escape(s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
    }
}
