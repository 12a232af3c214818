package dev.mailroot.server.admin;

import dev.mailroot.server.Home;

/** What the connector subcommands of {@code bin/mailroot} share: quiet logging. */
final class ConnectorCommands {
    private ConnectorCommands() {
    }

    /** Logs of a command go to the home's log file and, from WARN, to stderr: never into its output. */
    static void quietLogging(Home home) {
        System.setProperty("mailroot.logs", home.logs().toString());
        System.setProperty("logback.configurationFile", "logback-cli.xml");
    }
}
