package dev.mailroot.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A message split as the server splits it: the header fields (raw bytes each), the separator (the
 * empty line, or nothing), and the body. The header section ends at the first empty line, at the
 * first line that is neither a field nor a continuation, or at the end.
 *
 * @param fields    the header fields, in order
 * @param newline   the line end of the first line: CRLF or LF (CRLF if there is none)
 * @param separator the empty line after the fields, or no bytes
 * @param body      what follows
 */
record MessageParts(List<FakeHeaders.Field> fields, String newline, byte[] separator, byte[] body) {

    static MessageParts parse(byte[] m) {
        List<FakeHeaders.Field> fields = new ArrayList<>();
        String newline = null;
        ByteArrayOutputStream current = null;
        String currentName = null;
        int pos = 0;
        while (pos < m.length) {
            int end = pos;
            while (end < m.length && m[end] != '\n') {
                end++;
            }
            end = Math.min(end + 1, m.length);
            byte[] line = Arrays.copyOfRange(m, pos, end);
            if (newline == null) {
                newline = line.length >= 2 && line[line.length - 2] == '\r' && line[line.length - 1] == '\n' ? "\r\n" : "\n";
            }
            boolean empty = (line.length == 1 && line[0] == '\n') || (line.length == 2 && line[0] == '\r' && line[1] == '\n');
            if (empty) {
                add(fields, currentName, current);
                return new MessageParts(fields, newline, line, Arrays.copyOfRange(m, end, m.length));
            }
            boolean continuation = (line[0] == ' ' || line[0] == '\t') && current != null;
            String name = continuation ? null : fieldName(line);
            if (!continuation && name == null) {
                add(fields, currentName, current);
                return new MessageParts(fields, newline, new byte[0], Arrays.copyOfRange(m, pos, m.length));
            }
            if (continuation) {
                current.writeBytes(line);
            } else {
                add(fields, currentName, current);
                current = new ByteArrayOutputStream();
                current.writeBytes(line);
                currentName = name;
            }
            pos = end;
        }
        add(fields, currentName, current);
        return new MessageParts(fields, newline == null ? "\r\n" : newline, new byte[0], new byte[0]);
    }

    private static void add(List<FakeHeaders.Field> fields, String name, ByteArrayOutputStream raw) {
        if (name != null) {
            fields.add(new FakeHeaders.Field(name, raw.toByteArray()));
        }
    }

    /** The field name if {@code line} starts a field ({@code name:}, obsolete space before the colon allowed). */
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
}
