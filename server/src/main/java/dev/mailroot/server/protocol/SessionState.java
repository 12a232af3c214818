package dev.mailroot.server.protocol;

import dev.mailroot.bindings.RuleInput;
import dev.mailroot.host.message.NoteMap;
import dev.mailroot.sink.Notes;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.protocol.ProtocolSession;
import dev.mailroot.sink.protocol.SmtpReply;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ProtocolSession} of one SMTP connection, or of one message without a connection
 * (built from its envelope). Written by the session's own thread only; sinks see it read-only
 * (but for its notes) during their call, on another thread, while the session thread waits.
 */
public final class SessionState implements ProtocolSession {
    private final String id;
    private final Source source;
    private final String sourceName;
    private final String account;
    private final InetAddress client;
    private final NoteMap notes;
    private volatile String helo;
    private volatile boolean tls;
    private volatile String authenticatedUser;
    private volatile String mailFrom;
    private volatile List<String> recipients = List.of();
    /** The reply an OnHelo sink refused the greeting with, until a HELO/EHLO is accepted; null if none. */
    private volatile SmtpReply heloRefused;
    /** The last MAIL command line (for its ESMTP parameters), set before SubEthaSMTP handles it. */
    private volatile String mailLine;
    private volatile String rcptLine;

    public SessionState(String id, Source source, String sourceName, String account, InetAddress client, NoteMap notes) {
        this.id = id;
        this.source = source;
        this.sourceName = sourceName;
        this.account = account;
        this.client = client;
        this.notes = notes == null ? new NoteMap() : notes;
    }

    @Override
    public String sessionId() {
        return id;
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    public String sourceName() {
        return sourceName;
    }

    @Override
    public Optional<String> connectorAccount() {
        return Optional.ofNullable(account);
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
        return recipients;
    }

    @Override
    public boolean tls() {
        return tls;
    }

    @Override
    public Notes notes() {
        return notes;
    }

    /** The notes as a map, to be kept with a message. */
    public NoteMap noteMap() {
        return notes;
    }

    public void helo(String name) {
        this.helo = name;
    }

    public void tls(boolean value) {
        this.tls = value;
    }

    // overrides ProtocolSession.authenticatedUser() (no @Override: compiles against an older sink API jar too)
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    /** Set once the client authenticated (SMTP AUTH). */
    public void authenticatedUser(String user) {
        this.authenticatedUser = user;
    }

    /** A new transaction: the sender, no recipients yet. */
    public void mailFrom(String sender) {
        this.mailFrom = sender;
        this.recipients = List.of();
    }

    public void addRecipient(String rcpt) {
        List<String> r = new ArrayList<>(recipients);
        r.add(rcpt);
        recipients = List.copyOf(r);
    }

    /** The transaction ended (accepted, refused or reset). */
    public void endTransaction() {
        mailFrom = null;
        recipients = List.of();
        mailLine = null;
        rcptLine = null;
    }

    public SmtpReply heloRefused() {
        return heloRefused;
    }

    public void heloRefused(SmtpReply reply) {
        this.heloRefused = reply;
    }

    /** The ESMTP parameters of the last MAIL command. */
    public Map<String, String> mailParameters() {
        return EsmtpParameters.of(mailLine);
    }

    /** Keeps the MAIL command line before SubEthaSMTP handles it. */
    public void mailLine(String line) {
        this.mailLine = line;
    }

    /** The ESMTP parameters of the last RCPT command. */
    public Map<String, String> rcptParameters() {
        return EsmtpParameters.of(rcptLine);
    }

    /** Keeps the RCPT command line before SubEthaSMTP handles it. */
    public void rcptLine(String line) {
        this.rcptLine = line;
    }

    /** What a rule sees at an event: the source, the HELO name, the sender once known, and {@code rcpts}. */
    public RuleInput ruleInput(List<String> rcpts) {
        return new RuleInput(helo == null ? "" : helo, mailFrom, rcpts, sourceName);
    }
}
