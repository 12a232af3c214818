package dev.mailroot.registry;

/** A refused command: printed as one line on stderr, exit code 2. */
final class RegistryException extends RuntimeException {
    RegistryException(String message) {
        super(message);
    }
}
