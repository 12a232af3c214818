package dev.mailroot.server.message;

import dev.mailroot.host.message.MessageRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The header section of a message: its fields, kept as the raw bytes they arrived as, so that
 * fields nobody changes are written back byte for byte. Knows where the header section ends in the
 * content it was parsed from, so that the rest (separator and body) can be reused unchanged.
 *
 * <p>Mutable and not thread-safe; belongs to one message.
 */
public final class HeaderSection {

    /** Header sections larger than this are cut here; the rest counts as body. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    /** One header field: its name and its raw bytes (name, colon, value, folding, line end). */
    public record Field(String name, byte[] raw) {
        /** The unfolded value, without the leading white space and the line end. */
        public String value() {
            String s = new String(raw, StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            String v = s.substring(colon + 1).replace("\r\n", "").replace("\n", "").replace("\r", "");
            return v.strip();
        }

        boolean endsWithNewline() {
            return raw.length > 0 && raw[raw.length - 1] == '\n';
        }
    }

    private final List<Field> fields;
    private final long end;
    private final long bodyStart;
    private final String newline;
    private boolean changed;

    private HeaderSection(List<Field> fields, long end, long bodyStart, String newline) {
        this.fields = fields;
        this.end = end;
        this.bodyStart = bodyStart;
        this.newline = newline;
    }

    /** The line end {@code content} uses (that of its first line): CRLF or LF; CRLF if it has no line end. */
    public static String newlineOf(MessageContent content) throws IOException {
        try (InputStream in = content.open()) {
            byte[] buf = new byte[4096];
            int prev = -1;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        return prev == '\r' ? "\r\n" : "\n";
                    }
                    prev = buf[i];
                }
            }
            return "\r\n";
        }
    }

    /** Parses the header section at the start of {@code content}. */
    public static HeaderSection parse(MessageContent content) throws IOException {
        try (InputStream in = content.open()) {
            return parse(in);
        }
    }

    /**
     * Parses the header section at the start of {@code in} (which may be read beyond it). The
     * section ends at the first empty line, at the first line that is neither a field nor a
     * continuation, or at the end of input.
     */
    public static HeaderSection parse(InputStream in) throws IOException {
        LineReader lines = new LineReader(in);
        List<Field> fields = new ArrayList<>();
        String newline = null;
        ByteArrayOutputStream current = null;
        String currentName = null;
        long pos = 0;
        byte[] line;
        while ((line = lines.next()) != null) {
            if (newline == null) {
                newline = endsWithCrLf(line) ? "\r\n" : "\n";
            }
            if (isEmptyLine(line)) {
                addField(fields, currentName, current);
                return new HeaderSection(fields, pos, pos + line.length, newline);
            }
            boolean continuation = (line[0] == ' ' || line[0] == '\t') && current != null;
            String name = continuation ? null : fieldName(line);
            if (!continuation && name == null || pos + line.length > MAX_HEADER_BYTES) {
                addField(fields, currentName, current);
                return new HeaderSection(fields, pos, pos, newline);
            }
            if (continuation) {
                current.write(line);
            } else {
                addField(fields, currentName, current);
                current = new ByteArrayOutputStream(line.length + 16);
                current.write(line);
                currentName = name;
            }
            pos += line.length;
        }
        addField(fields, currentName, current);
        return new HeaderSection(fields, pos, pos, newline == null ? "\r\n" : newline);
    }

    private static void addField(List<Field> fields, String name, ByteArrayOutputStream raw) {
        if (name != null) {
            fields.add(new Field(name, raw.toByteArray()));
        }
    }

    /** The field name if {@code line} starts a field ({@code name:}, obsolete space before colon allowed). */
    private static String fieldName(byte[] line) {
        int i = 0;
        while (i < line.length && line[i] >= 33 && line[i] <= 126 && line[i] != ':') {
            i++;
        }
        if (i == 0) {
            return null;
        }
        int nameEnd = i;
        while (i < line.length && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        if (i >= line.length || line[i] != ':') {
            return null;
        }
        return new String(line, 0, nameEnd, StandardCharsets.US_ASCII);
    }

    private static boolean isEmptyLine(byte[] line) {
        return (line.length == 1 && line[0] == '\n') || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
    }

    private static boolean endsWithCrLf(byte[] line) {
        return line.length >= 2 && line[line.length - 2] == '\r' && line[line.length - 1] == '\n';
    }

    /** The fields, in order; unmodifiable. */
    public List<Field> fields() {
        return List.copyOf(fields);
    }

    /** Offset in the parsed content where the fields end (the separator or the body starts). */
    public long end() {
        return end;
    }

    /** Offset in the parsed content where the body starts (after the empty line, if any). */
    public long bodyStart() {
        return bodyStart;
    }

    /** The line end the message uses: CRLF or LF. */
    public String newline() {
        return newline;
    }

    /** The fields and changed flag, to go back to with {@link #restore(Object)}. */
    public Object saveState() {
        return new Object[]{new ArrayList<>(fields), changed};
    }

    /** Goes back to a state from {@link #saveState()}. */
    public void restore(Object state) {
        Object[] s = (Object[]) state;
        @SuppressWarnings("unchecked")
        List<Field> saved = (List<Field>) s[0];
        fields.clear();
        fields.addAll(saved);
        changed = (Boolean) s[1];
    }

    /** Whether a field was added, set or removed since parsing. */
    public boolean changed() {
        return changed;
    }

    public Optional<String> first(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return Optional.of(f.value());
            }
        }
        return Optional.empty();
    }

    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                values.add(f.value());
            }
        }
        return values;
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(fields.size());
        for (Field f : fields) {
            names.add(f.name());
        }
        return names;
    }

    /** Appends a field at the end of the section. */
    public void add(String name, String value) {
        Field field = newField(name, value);
        terminateLastField();
        fields.add(field);
        changed = true;
    }

    /** Inserts a field at the top of the section (where trace fields such as Received go). */
    public void prepend(String name, String value) {
        fields.add(0, newField(name, value));
        changed = true;
    }

    /** Gives the first field called {@code name} the new value and removes the others; adds it if absent. */
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
        changed = true;
    }

    /** Removes every field called {@code name}; returns how many. */
    public int remove(String name) {
        int before = fields.size();
        fields.removeIf(f -> f.name().equalsIgnoreCase(name));
        int removed = before - fields.size();
        changed |= removed > 0;
        return removed;
    }

    /** The fields as bytes, ready to be followed by the rest of the content from {@link #end()}. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(fields.size() * 64);
        for (Field f : fields) {
            out.writeBytes(f.raw());
        }
        return out.toByteArray();
    }

    /** The message with these fields: the fields, then {@code original} from {@link #end()} on. */
    public MessageContent applyTo(MessageContent original) {
        return MessageContent.concat(MessageContent.of(toBytes()), original.slice(end));
    }

    private Field newField(String name, String value) {
        checkName(name);
        checkValue(value);
        return new Field(name, (name + ": " + value + newline).getBytes(StandardCharsets.UTF_8));
    }

    private void terminateLastField() {
        if (!fields.isEmpty()) {
            Field last = fields.get(fields.size() - 1);
            if (!last.endsWithNewline()) {
                byte[] nl = newline.getBytes(StandardCharsets.US_ASCII);
                byte[] raw = new byte[last.raw().length + nl.length];
                System.arraycopy(last.raw(), 0, raw, 0, last.raw().length);
                System.arraycopy(nl, 0, raw, last.raw().length, nl.length);
                fields.set(fields.size() - 1, new Field(last.name(), raw));
            }
        }
    }

    /** Refuses names that are not printable ASCII without colon (RFC 5322 §2.2). */
    public static void checkName(String name) {
        MessageRules.checkHeaderName(name);
    }

    /** Refuses values that would break the header section (bare CR or LF). */
    public static void checkValue(String value) {
        MessageRules.checkHeaderValue(value);
    }

    /** Reads lines as bytes, each with its line end (LF or CRLF) if it has one. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int limit;

        LineReader(InputStream in) {
            this.in = in;
        }

        byte[] next() throws IOException {
            ByteArrayOutputStream line = null;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buf);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return line == null || line.size() == 0 ? null : line.toByteArray();
                    }
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                boolean eol = pos < limit;
                if (eol) {
                    pos++;
                }
                if (line == null) {
                    line = new ByteArrayOutputStream(Math.max(80, pos - start));
                }
                line.write(buf, start, pos - start);
                if (eol) {
                    return line.toByteArray();
                }
                if (line.size() > MAX_HEADER_BYTES) {
                    return line.toByteArray();
                }
            }
        }
    }
}
