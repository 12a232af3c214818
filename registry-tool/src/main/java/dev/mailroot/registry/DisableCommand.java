package dev.mailroot.registry;

import picocli.CommandLine.Command;

@Command(name = "disable", aliases = "/disable", mixinStandardHelpOptions = true, description = "Disables a binding; it stays in the registry.",
        footer = {"", "Example:", "  registry disable \"Tag sales\""})
final class DisableCommand extends EnabledFlagCommand {
    DisableCommand() {
        super(false);
    }
}
