package dev.mailroot.server;

import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.ConfigLoader;
import dev.mailroot.server.config.MailrootConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --home} and {@code --config}, as every {@code bin/mailroot} command takes them (a picocli
 * mixin): the server's home and its configuration, resolved the same way everywhere.
 */
public final class HomeOptions {
    @Option(names = "--home", paramLabel = "DIR",
            description = "The server's home folder (default: $MAILROOT_HOME, else the current folder).")
    Path home;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The configuration file (default: <home>/conf/mailroot.yaml, if present).")
    Path config;

    /** {@code --home}, else {@code $MAILROOT_HOME}, else the current folder. */
    public Home home() {
        String env = System.getenv("MAILROOT_HOME");
        return new Home(home != null ? home : env != null ? Path.of(env) : Path.of(""));
    }

    /** {@code --config} (which must exist), else {@code <home>/conf/mailroot.yaml} if present, over the defaults. */
    public MailrootConfig config(Home h) throws ConfigException {
        ConfigLoader loader = new ConfigLoader();
        return config != null ? loader.load(config, true) : loader.load(h.configFile(), false);
    }
}
