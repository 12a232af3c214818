package dev.mailroot.server.dispatch;

import dev.mailroot.host.message.MessageRules;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Envelope;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The envelope a sink sees: a mutable copy of the spooled one that knows whether it changed. */
final class MutableEnvelope implements Envelope {

    private final SpoolEnvelope original;
    private String mailFrom;
    /** lower-cased address to address as given; keeps insertion order */
    private final Map<String, String> recipients = new LinkedHashMap<>();
    private boolean changed;

    MutableEnvelope(SpoolEnvelope original) {
        this.original = original;
        this.mailFrom = original.mailFrom();
        for (String r : original.recipients()) {
            recipients.putIfAbsent(key(r), r);
        }
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
            MessageRules.checkAddress(address);
        }
        if (!address.equals(mailFrom)) {
            mailFrom = address;
            changed = true;
        }
    }

    @Override
    public List<String> recipients() {
        return List.copyOf(recipients.values());
    }

    @Override
    public boolean addRecipient(String address) {
        MessageRules.checkAddress(address);
        boolean added = recipients.putIfAbsent(key(address), address) == null;
        changed |= added;
        return added;
    }

    @Override
    public boolean removeRecipient(String address) {
        boolean removed = address != null && recipients.remove(key(address)) != null;
        changed |= removed;
        return removed;
    }

    @Override
    public boolean replaceRecipient(String address, String replacement) {
        MessageRules.checkAddress(replacement);
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
        changed = true;
        return true;
    }

    @Override
    public void setRecipients(Collection<String> addresses) {
        for (String a : addresses) {
            MessageRules.checkAddress(a);
        }
        recipients.clear();
        for (String a : addresses) {
            recipients.putIfAbsent(key(a), a);
        }
        changed = true;
    }

    @Override
    public Optional<String> helo() {
        return Optional.ofNullable(original.helo());
    }

    @Override
    public Optional<String> clientAddress() {
        return Optional.ofNullable(original.clientAddress());
    }

    @Override
    public Instant arrivalTime() {
        return original.arrivalTime();
    }

    @Override
    public Optional<String> pickupFileName() {
        return Optional.ofNullable(original.pickupFileName());
    }

    @Override
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(original.authUser());
    }

    boolean changed() {
        return changed;
    }

    /** The envelope's state, to go back to if a sink call fails. */
    record Snapshot(String mailFrom, Map<String, String> recipients, boolean changed) {
    }

    Snapshot snapshot() {
        return new Snapshot(mailFrom, new LinkedHashMap<>(recipients), changed);
    }

    void restore(Snapshot s) {
        mailFrom = s.mailFrom();
        recipients.clear();
        recipients.putAll(s.recipients());
        changed = s.changed();
    }

    SpoolEnvelope toSpoolEnvelope() {
        return changed ? original.with(mailFrom, recipients()) : original;
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
