package dev.mailroot.registry;

import picocli.CommandLine.Command;

@Command(name = "enable", aliases = "/enable", mixinStandardHelpOptions = true, description = "Enables a binding (and clears the failure state the server recorded when it disabled it).",
        footer = {"", "Example:", "  registry enable \"Tag sales\""})
final class EnableCommand extends EnabledFlagCommand {
    EnableCommand() {
        super(true);
    }
}
