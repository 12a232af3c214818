package dev.mailroot.testkit;

import dev.mailroot.host.message.MessageRules;
import dev.mailroot.sink.Envelope;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory {@link Envelope} that behaves as the server's: recipients keep their order and are
 * unique compared case-insensitively, and addresses are checked as the server checks them (empty,
 * longer than 320 characters, white space, control characters and angle brackets are refused with
 * {@link IllegalArgumentException}, and nothing changes). Not thread-safe, like the server's.
 */
public final class FakeEnvelope implements Envelope {

    private String mailFrom;
    /** lower-cased address to address as given, in order */
    private final Map<String, String> recipients = new LinkedHashMap<>();
    private final String helo;
    private final String clientAddress;
    private final Instant arrivalTime;
    private final String pickupFileName;

    /**
     * An envelope; every address is checked as {@link #setMailFrom} and {@link #addRecipient} check it.
     *
     * @param mailFrom       the sender, {@code ""} for the null sender
     * @param recipients     the recipients (duplicates dropped)
     * @param helo           the HELO/EHLO name, or null (pickup and sink mail)
     * @param clientAddress  the client's IP address, or null (pickup and sink mail)
     * @param arrivalTime    when the message was accepted
     * @param pickupFileName the pickup file's name, or null (SMTP and sink mail)
     */
    public FakeEnvelope(String mailFrom, Collection<String> recipients, String helo, String clientAddress,
                        Instant arrivalTime, String pickupFileName) {
        setMailFrom(mailFrom);
        setRecipients(recipients);
        this.helo = helo;
        this.clientAddress = clientAddress;
        this.arrivalTime = arrivalTime;
        this.pickupFileName = pickupFileName;
    }

    @Override
    public String mailFrom() {
        return mailFrom;
    }

    @Override
    public void setMailFrom(String address) {
        if (address == null) {
            throw new IllegalArgumentException("sender is null; use \"\" for the null sender");
        }
        if (!address.isEmpty()) {
            checkAddress(address);
        }
        mailFrom = address;
    }

    @Override
    public List<String> recipients() {
        return List.copyOf(recipients.values());
    }

    @Override
    public boolean addRecipient(String address) {
        checkAddress(address);
        return recipients.putIfAbsent(key(address), address) == null;
    }

    @Override
    public boolean removeRecipient(String address) {
        return address != null && recipients.remove(key(address)) != null;
    }

    @Override
    public boolean replaceRecipient(String address, String replacement) {
        checkAddress(replacement);
        if (address == null || !recipients.containsKey(key(address))) {
            return false;
        }
        List<Map.Entry<String, String>> order = new ArrayList<>(recipients.entrySet());
        recipients.clear();
        for (Map.Entry<String, String> e : order) {
            if (e.getKey().equals(key(address))) {
                recipients.putIfAbsent(key(replacement), replacement);
            } else {
                recipients.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        return true;
    }

    @Override
    public void setRecipients(Collection<String> addresses) {
        for (String a : addresses) {
            checkAddress(a);
        }
        recipients.clear();
        for (String a : addresses) {
            recipients.putIfAbsent(key(a), a);
        }
    }

    @Override
    public Optional<String> helo() {
        return Optional.ofNullable(helo);
    }

    @Override
    public Optional<String> clientAddress() {
        return Optional.ofNullable(clientAddress);
    }

    @Override
    public Instant arrivalTime() {
        return arrivalTime;
    }

    @Override
    public Optional<String> pickupFileName() {
        return Optional.ofNullable(pickupFileName);
    }

    @Override
    public String toString() {
        return "MAIL FROM:<" + mailFrom + "> RCPT TO:" + recipients.values();
    }

    /** The sender and recipients, to go back to when a call fails. */
    record Snapshot(String mailFrom, Map<String, String> recipients) {
    }

    Snapshot snapshot() {
        return new Snapshot(mailFrom, new LinkedHashMap<>(recipients));
    }

    void restore(Snapshot s) {
        mailFrom = s.mailFrom();
        recipients.clear();
        recipients.putAll(s.recipients());
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    /** Refuses what cannot be an SMTP path: the server's own rule ({@link MessageRules#checkAddress}). */
    static void checkAddress(String address) {
        MessageRules.checkAddress(address);
    }
}
