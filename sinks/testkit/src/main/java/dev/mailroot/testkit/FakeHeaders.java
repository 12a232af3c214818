package dev.mailroot.testkit;

import dev.mailroot.host.message.MessageRules;
import dev.mailroot.sink.Headers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An in-memory {@link Headers} that behaves as the server's: names compare case-insensitively,
 * values are returned unfolded and stripped, fields nobody touches keep their bytes, a new field is
 * written {@code Name: value} with the message's line end, and names and values are checked as the
 * server checks them (a name of printable ASCII without colon; a value without CR, LF or NUL),
 * refused with {@link IllegalArgumentException}. Not thread-safe, like the server's.
 */
public final class FakeHeaders implements Headers {

    /** One header field: its name and raw bytes (name, colon, value, folding, line end). */
    record Field(String name, byte[] raw) {
        String value() {
            String s = new String(raw, StandardCharsets.UTF_8);
            return s.substring(s.indexOf(':') + 1).replace("\r\n", "").replace("\n", "").replace("\r", "").strip();
        }

        boolean endsWithNewline() {
            return raw.length > 0 && raw[raw.length - 1] == '\n';
        }
    }

    private final List<Field> fields;
    private final String newline;

    FakeHeaders(List<Field> fields, String newline) {
        this.fields = new ArrayList<>(fields);
        this.newline = newline;
    }

    @Override
    public Optional<String> first(String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).findFirst().map(Field::value);
    }

    @Override
    public List<String> all(String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    @Override
    public List<String> names() {
        return fields.stream().map(Field::name).toList();
    }

    @Override
    public void add(String name, String value) {
        Field field = newField(name, value);
        terminateLastField();
        fields.add(field);
    }

    @Override
    public void set(String name, String value) {
        Field field = newField(name, value);
        int first = -1;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equalsIgnoreCase(name)) {
                if (first < 0) {
                    first = i;
                    fields.set(i, field);
                } else {
                    fields.remove(i--);
                }
            }
        }
        if (first < 0) {
            terminateLastField();
            fields.add(field);
        }
    }

    @Override
    public int remove(String name) {
        int before = fields.size();
        fields.removeIf(f -> f.name().equalsIgnoreCase(name));
        return before - fields.size();
    }

    /** The header section as text, each field as it would be written: for assertions. */
    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }

    String newline() {
        return newline;
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach(f -> out.writeBytes(f.raw()));
        return out.toByteArray();
    }

    List<Field> fields() {
        return List.copyOf(fields);
    }

    void restore(List<Field> saved) {
        fields.clear();
        fields.addAll(saved);
    }

    private Field newField(String name, String value) {
        checkName(name);
        checkValue(value);
        return new Field(name, (name + ": " + value + newline).getBytes(StandardCharsets.UTF_8));
    }

    private void terminateLastField() {
        if (!fields.isEmpty() && !fields.get(fields.size() - 1).endsWithNewline()) {
            Field last = fields.get(fields.size() - 1);
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.writeBytes(last.raw());
            raw.writeBytes(newline.getBytes(StandardCharsets.US_ASCII));
            fields.set(fields.size() - 1, new Field(last.name(), raw.toByteArray()));
        }
    }

    /** Refuses what the server refuses as a header name ({@link MessageRules#checkHeaderName}). */
    static void checkName(String name) {
        MessageRules.checkHeaderName(name);
    }

    /** Refuses what the server refuses as a header value ({@link MessageRules#checkHeaderValue}). */
    static void checkValue(String value) {
        MessageRules.checkHeaderValue(value);
    }
}
