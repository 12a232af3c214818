package dev.mailroot.sink;

import java.util.Objects;

/**
 * The outcome of a {@link MailrootService#command}: whether it succeeded, and a report for the
 * administrator (plain text, one or more lines).
 *
 * @param outcome what happened
 * @param report  the text shown to the administrator
 */
public record CommandResult(Outcome outcome, String report) {

    /** How a command ended. */
    public enum Outcome {
        /** It did what was asked. */
        OK,
        /** It ran and something failed; the report says what. */
        FAILED,
        /** The service has no such command. */
        UNKNOWN_COMMAND
    }

    public CommandResult {
        Objects.requireNonNull(outcome, "outcome");
        report = report == null ? "" : report;
    }

    public static CommandResult ok(String report) {
        return new CommandResult(Outcome.OK, report);
    }

    public static CommandResult failed(String report) {
        return new CommandResult(Outcome.FAILED, report);
    }

    public static CommandResult unknown(String command) {
        return new CommandResult(Outcome.UNKNOWN_COMMAND, "unknown command '" + command + "'");
    }
}
