package dev.mailroot.bindings;

/** The binding registry file cannot be used; the message is one line naming the file and where. */
public final class BindingStoreException extends Exception {
    public BindingStoreException(String message) {
        super(message);
    }

    public BindingStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
