package dev.mailroot.server.config;

/** A configuration the server cannot start with; the message is one line naming the file and key. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
