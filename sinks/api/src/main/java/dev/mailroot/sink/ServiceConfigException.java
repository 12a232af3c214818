package dev.mailroot.sink;

/** A service's configuration file cannot be read; the message is one line naming the file and where. */
public final class ServiceConfigException extends Exception {
    public ServiceConfigException(String message) {
        super(message);
    }
}
