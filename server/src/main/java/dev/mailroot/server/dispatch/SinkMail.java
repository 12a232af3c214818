package dev.mailroot.server.dispatch;

import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.sink.MessageWriter;

import java.io.IOException;
import java.util.List;

/** Where mail a sink sends goes in: the server's admission step, as for SMTP and pickup mail. */
@FunctionalInterface
public interface SinkMail {
    /** Refuses all sink mail (tests that do not need it). */
    SinkMail NONE = (parent, binding, from, to, content) -> {
        throw new IOException("this server does not accept mail from sinks");
    };

    /**
     * Admits a message a sink sends while handling {@code parent}.
     *
     * @param binding the sending binding ("name {id}")
     * @return the new message's id
     */
    String send(SpoolEntry parent, String binding, String mailFrom, List<String> recipients, MessageWriter content)
            throws IOException;
}
