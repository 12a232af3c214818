package dev.mailroot.server.admin;

import dev.mailroot.server.Home;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.ConfigLoader;
import dev.mailroot.server.config.MailrootConfig;

import java.nio.file.Path;

/** What the connector subcommands of {@code bin/mailroot} share: the home, its configuration, quiet logging. */
final class ConnectorCommands {
    private ConnectorCommands() {
    }

    static Home home(Path option) {
        return new Home(option != null ? option
                : System.getenv("MAILROOT_HOME") != null ? Path.of(System.getenv("MAILROOT_HOME")) : Path.of(""));
    }

    static MailrootConfig config(Home home, Path option) throws ConfigException {
        ConfigLoader loader = new ConfigLoader();
        return option != null ? loader.load(option, true) : loader.load(home.configFile(), false);
    }

    /** Logs of a command go to the home's log file and, from WARN, to stderr: never into its output. */
    static void quietLogging(Home home) {
        System.setProperty("mailroot.logs", home.logs().toString());
        System.setProperty("logback.configurationFile", "logback-cli.xml");
    }
}
