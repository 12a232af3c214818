package dev.mailroot.server.sieve;

import dev.mailroot.server.message.HeaderSection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/** {@link SieveMail#of}: a message in memory, its header section parsed by the server's own parser. */
final class MessageSieveMail implements SieveMail {

    private final String sender;
    private final String recipient;
    private final byte[] message;
    private final HeaderSection header;

    private MessageSieveMail(String sender, String recipient, byte[] message, HeaderSection header) {
        this.sender = sender;
        this.recipient = recipient;
        this.message = message;
        this.header = header;
    }

    static MessageSieveMail parse(String sender, String recipient, byte[] message) {
        Objects.requireNonNull(sender, "sender (\"\" for the null sender)");
        Objects.requireNonNull(recipient, "recipient");
        try {
            return new MessageSieveMail(sender, recipient, message,
                    HeaderSection.parse(new ByteArrayInputStream(message)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail to read
        }
    }

    @Override
    public String envelopeSender() {
        return sender;
    }

    @Override
    public String envelopeRecipient() {
        return recipient;
    }

    @Override
    public List<String> headers(String name) {
        return header.all(name);
    }

    @Override
    public List<String> headerNames() {
        return new ArrayList<>(new LinkedHashSet<>(header.names()));
    }

    @Override
    public long size() {
        return message.length;
    }

    @Override
    public InputStream content() {
        return new ByteArrayInputStream(message);
    }
}
