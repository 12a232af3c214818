package dev.mailroot.server.smtp;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

import java.io.IOException;
import java.util.Locale;

/**
 * SubEthaSMTP's MAIL command, with a declared {@code SIZE=} too large for an {@code int} clamped to
 * {@link Integer#MAX_VALUE} first. SubEthaSMTP (7.2.2) reads the value with
 * {@code Integer.parseInt}, so {@code SIZE=9999999999999} killed the session thread: the client got
 * {@code 421 4.3.0 Mail system failure} and the log a stack trace, where RFC 1870 asks for
 * {@code 552}. Clamped, the size is still over the limit (an {@code int} too), and SubEthaSMTP's
 * command refuses it with {@code 552 5.3.4} like any other size over the limit and makes every
 * other decision about the command as before.
 */
final class ClampedSizeMailCommand implements Command {
    private static final String SIZE = " size=";

    private final Command mail;

    private ClampedSizeMailCommand(Command mail) {
        this.mail = mail;
    }

    /** Puts this in front of the MAIL command of {@code server} (built, not started). */
    static void install(SMTPServer server) {
        CommandHandler commands = server.getCommandHandler();
        commands.addCommand(new ClampedSizeMailCommand(commands.getCommand("MAIL")));
    }

    @Override
    public void execute(String commandString, Session session) throws IOException, DropConnectionException {
        mail.execute(clamp(commandString), session);
    }

    /**
     * The command with a SIZE value beyond {@link Integer#MAX_VALUE} replaced by it; found as
     * SubEthaSMTP finds it (the first {@code " size="}, the digits to the end of the line).
     */
    static String clamp(String command) {
        String lower = command.toLowerCase(Locale.ENGLISH);
        int at = lower.indexOf(SIZE);
        if (at < 0) {
            return command;
        }
        String tail = lower.substring(at + SIZE.length());
        String value = tail.trim();
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return command;
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        if (digits.length() < 10 || digits.length() == 10 && digits.compareTo(String.valueOf(Integer.MAX_VALUE)) <= 0) {
            return command;
        }
        // digits and white space are their own lower case: the tail has the same length in command
        return command.substring(0, command.length() - tail.length()) + Integer.MAX_VALUE;
    }

    @Override
    public HelpMessage getHelp() throws CommandException {
        return mail.getHelp();
    }

    @Override
    public String getName() {
        return mail.getName();
    }
}
