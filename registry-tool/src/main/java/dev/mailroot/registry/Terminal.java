package dev.mailroot.registry;

import dev.mailroot.bindings.ControlCharacters;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/**
 * Where the verbs print for a person: every line goes out with its control characters escaped
 * ({@link ControlCharacters}), so a binding name, a rule, a property or a plugin's manifest that
 * holds a newline or an ESC cannot forge output lines or drive the reader's terminal. JSON output
 * does not go through here: {@link Format#JSON} escapes by itself.
 */
final class Terminal {
    private final PrintWriter out;

    private Terminal(PrintWriter out) {
        this.out = out;
    }

    /** The command's stdout. */
    static Terminal of(CommandSpec spec) {
        return new Terminal(spec.commandLine().getOut());
    }

    /** Prints one line; {@code line} is composed by the verb, so any control character in it came from data. */
    void println(String line) {
        out.println(ControlCharacters.escape(line));
    }

    /** {@code printf}: the arguments are escaped, the format (with its {@code %n}) is the verb's own. */
    void printf(String format, Object... args) {
        Object[] safe = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            safe[i] = args[i] instanceof CharSequence s ? ControlCharacters.escape(s.toString()) : args[i];
        }
        out.printf(format, safe);
    }
}
