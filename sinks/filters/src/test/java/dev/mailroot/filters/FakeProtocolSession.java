package dev.mailroot.filters;

import dev.mailroot.sink.Notes;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.testkit.FakeNotes;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A {@link ProtocolSession} for calling a filter directly: an SMTP session from a client address. */
final class FakeProtocolSession implements ProtocolSession {
    private final InetAddress client;
    private final String helo;
    private final Source source;
    private final FakeNotes notes = new FakeNotes();
    final List<String> recipients = new ArrayList<>();
    String mailFrom;

    private FakeProtocolSession(InetAddress client, String helo, Source source) {
        this.client = client;
        this.helo = helo;
        this.source = source;
    }

    /** An SMTP session from {@code ip} (a literal), HELO {@code client.example.org}. */
    static FakeProtocolSession smtpFrom(String ip) {
        try {
            return new FakeProtocolSession(InetAddress.getByName(ip), "client.example.org", Source.SMTP);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Pickup mail: no client address, no HELO. */
    static FakeProtocolSession pickup() {
        return new FakeProtocolSession(null, null, Source.PICKUP);
    }

    @Override
    public String sessionId() {
        return "test-session";
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    public String sourceName() {
        return source.wireName();
    }

    @Override
    public Optional<String> connectorAccount() {
        return Optional.empty();
    }

    @Override
    public Optional<InetAddress> clientAddress() {
        return Optional.ofNullable(client);
    }

    @Override
    public Optional<String> heloName() {
        return Optional.ofNullable(helo);
    }

    @Override
    public Optional<String> mailFrom() {
        return Optional.ofNullable(mailFrom);
    }

    @Override
    public List<String> recipients() {
        return List.copyOf(recipients);
    }

    @Override
    public boolean tls() {
        return false;
    }

    @Override
    public Notes notes() {
        return notes;
    }

    FakeNotes fakeNotes() {
        return notes;
    }
}
