package dev.mailroot.filters;

import dev.mailroot.sink.protocol.EndOfData;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link EndOfData} over a message in memory; records the header fields added and how often the content was read. */
final class FakeEndOfData implements EndOfData {
    private final String mailFrom;
    private final List<String> recipients;
    private final byte[] content;
    final List<Map.Entry<String, String>> added = new ArrayList<>();
    final AtomicInteger reads = new AtomicInteger();

    FakeEndOfData(String mailFrom, List<String> recipients, String message) {
        this.mailFrom = mailFrom;
        this.recipients = List.copyOf(recipients);
        this.content = message.getBytes(StandardCharsets.UTF_8);
    }

    /** A plain message from alice to bob with {@code body}, CRLF line endings. */
    static FakeEndOfData message(String body) {
        return new FakeEndOfData("alice@example.org", List.of("bob@example.com"),
                ("Received: from client.example.org ([127.0.0.1]) by mx.example.com with ESMTP id test; Thu, 4 Dec 2026 10:00:00 +0000\n"
                        + "From: Alice <alice@example.org>\nTo: Bob <bob@example.com>\nSubject: lunch\n"
                        + "Date: Thu, 4 Dec 2026 10:00:00 +0000\nMessage-ID: <lunch-1@example.org>\n\n" + body)
                        .replace("\n", "\r\n"));
    }

    /** The value of the header field added with {@code name}, if one was. */
    Optional<String> addedHeader(String name) {
        return added.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
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
        return content.length;
    }

    @Override
    public Optional<String> header(String name) {
        return headers(name).stream().findFirst();
    }

    @Override
    public List<String> headers(String name) {
        String text = new String(content, StandardCharsets.UTF_8);
        String head = text.contains("\r\n\r\n") ? text.substring(0, text.indexOf("\r\n\r\n")) : text;
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix)).map(l -> l.substring(prefix.length()).strip()).toList();
    }

    @Override
    public InputStream content() throws IOException {
        reads.incrementAndGet();
        return new ByteArrayInputStream(content);
    }

    @Override
    public void addHeader(String name, String value) {
        if (name.isEmpty() || name.contains(":") || !name.chars().allMatch(c -> c > 32 && c < 127)
                || value.contains("\r") || value.contains("\n")) {
            throw new IllegalArgumentException("not a header field: " + name + ": " + value);
        }
        added.add(Map.entry(name, value));
    }

    /** The names removed with {@link #removeHeaders}. */
    final List<String> removed = new java.util.ArrayList<>();

    @Override
    public int removeHeaders(String name) {
        int before = added.size();
        added.removeIf(e -> e.getKey().equalsIgnoreCase(name));
        removed.add(name);
        return before - added.size() + headers(name).size();
    }
}
