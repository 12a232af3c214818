package dev.mailroot.server.admin;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.Home;

import java.io.PrintWriter;

/**
 * What the subcommands of {@code bin/mailroot} share: their output is for a terminal, so every line
 * of a report (which quotes remote servers and user-supplied names) is printed with its control
 * characters escaped, and an error is one escaped line on stderr; logs stay out of the output.
 */
final class CommandOutput {
    private CommandOutput() {
    }

    /** Logs of a command go to the home's log file and, from WARN, to stderr: never into its output. */
    static void quietLogging(Home home) {
        System.setProperty("mailroot.logs", home.logs().toString());
        System.setProperty("logback.configurationFile", "logback-cli.xml");
    }

    /** Prints a report line by line, each line's control characters escaped. */
    static void report(PrintWriter out, String report) {
        String text = report.endsWith("\n") ? report.substring(0, report.length() - 1) : report;
        for (String line : text.split("\r?\n", -1)) {
            out.println(ControlCharacters.escape(line));
        }
        out.flush();
    }

    /** Prints {@code mailroot: <message>} on one line, its control characters escaped. */
    static void error(PrintWriter err, String message) {
        err.println("mailroot: " + ControlCharacters.escape(message.strip()));
        err.flush();
    }
}
