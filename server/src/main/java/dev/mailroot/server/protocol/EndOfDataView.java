package dev.mailroot.server.protocol;

import dev.mailroot.host.message.MessageRules;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.sink.protocol.EndOfData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The message at the end of DATA as OnEndOfData sinks see it: read-only content, header lookups
 * (parsed once, on first use), and the header fields sinks add, kept here until the server writes
 * them with the message. Safe for the successive calls of one message.
 */
public final class EndOfDataView implements EndOfData {
    private final String mailFrom;
    private final List<String> recipients;
    private final MessageContent content;
    private final List<String[]> added = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    private HeaderSection headers;

    public EndOfDataView(String mailFrom, List<String> recipients, MessageContent content) {
        this.mailFrom = mailFrom;
        this.recipients = List.copyOf(recipients);
        this.content = content;
    }

    @Override
    public String mailFrom() {
        return mailFrom;
    }

    @Override
    public List<String> recipients() {
        return recipients;
    }

    @Override
    public long size() {
        return content.size();
    }

    private synchronized HeaderSection section() {
        if (headers == null) {
            try {
                headers = HeaderSection.parse(content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return headers;
    }

    @Override
    public Optional<String> header(String name) {
        synchronized (this) {
            for (String[] h : added) {
                if (h[0].equalsIgnoreCase(name)) {
                    return Optional.of(h[1]);
                }
            }
        }
        return removedName(name) ? Optional.empty() : section().first(name);
    }

    private synchronized boolean removedName(String name) {
        return removed.stream().anyMatch(r -> r.equalsIgnoreCase(name));
    }

    @Override
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>();
        synchronized (this) {
            for (String[] h : added) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
        }
        if (!removedName(name)) {
            out.addAll(section().all(name));
        }
        return out;
    }

    @Override
    public InputStream content() throws IOException {
        return content.open();
    }

    @Override
    public synchronized void addHeader(String name, String value) {
        MessageRules.checkHeaderName(name);
        MessageRules.checkHeaderValue(value);
        if (added.size() >= 100) {
            throw new IllegalArgumentException("at most 100 header fields may be added at the end of data");
        }
        added.add(new String[]{name, value});
    }

    @Override
    public int removeHeaders(String name) {
        MessageRules.checkHeaderName(name);
        int n;
        synchronized (this) {
            n = (int) added.stream().filter(h -> h[0].equalsIgnoreCase(name)).count();
            added.removeIf(h -> h[0].equalsIgnoreCase(name));
            if (removedName(name)) {
                return n;
            }
        }
        int existing = section().all(name).size();
        synchronized (this) {
            removed.add(name);
        }
        return n + existing;
    }

    /** The names whose fields in the message are removed. */
    public synchronized List<String> removed() {
        return List.copyOf(removed);
    }

    /** The fields added, in order, as {name, value}. */
    public synchronized List<String[]> added() {
        return List.copyOf(added);
    }

    /** Forgets the fields added (the message was refused after all). */
    public synchronized void clear() {
        added.clear();
        removed.clear();
    }
}
