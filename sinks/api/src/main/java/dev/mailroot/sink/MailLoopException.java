package dev.mailroot.sink;

import java.io.IOException;

/**
 * {@link Submission#send} refused a message because it would continue a chain of mail sent by
 * sinks in reply to mail sent by sinks more than 5 generations deep: a sink mailing itself in a loop.
 * Nothing was sent.
 */
public final class MailLoopException extends IOException {
    public MailLoopException(String message) {
        super(message);
    }
}
