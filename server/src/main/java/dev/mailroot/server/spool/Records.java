package dev.mailroot.server.spool;

import dev.mailroot.sink.Source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The spool's record payloads. Every payload starts with a format version, then the message id.
 *
 * <ul>
 *   <li>{@link #SUBMIT}: envelope, stage, optional header override, then the content: inline (its
 *       length, with the bytes last in the payload) or external (a file in the queue folder).</li>
 *   <li>{@link #UPDATE}: envelope, stage, optional header override; replaces those of the message.</li>
 *   <li>{@link #DONE}: the message left the spool (delivered, badmail or aborted), with the outcome.</li>
 *   <li>{@link #CALL}: a sink call on the message is about to start (the binding); durable before
 *       the call, so a process that dies in it can tell at the next start.</li>
 *   <li>{@link #CALL_END}: the server stopped while a call was open; it did not die in it.</li>
 *   <li>{@link #CHAIN_END}: the sinks ran and changed nothing (an UPDATE says the same when they did).</li>
 *   <li>{@link #SUSPECT}: the process died during calls on the message so many times, in these bindings.</li>
 * </ul>
 * A server that does not know a record type skips it with a warning, so the four later types
 * never stop an older server from recovering the messages.
 */
final class Records {
    static final byte SUBMIT = 1;
    static final byte UPDATE = 2;
    static final byte DONE = 3;
    /** A sink call is about to start: message id, binding id and name (poison-message protection). */
    static final byte CALL = 4;
    /** The message's sink call ended without its chain ending (the server stopped): message id. */
    static final byte CALL_END = 5;
    /** The message's OnSubmission chain ended without changing it: its sinks need not run again. */
    static final byte CHAIN_END = 6;
    /** The process died during a call on the message: how often so far, and in which bindings. */
    static final byte SUSPECT = 7;
    /**
     * The sinks changed a message and its chain goes on (or waits, deferred): envelope, stage,
     * headers and {@link Progress}, as an UPDATE, without ending the chain or its crash count.
     */
    static final byte PROGRESS = 8;

    private static final byte VERSION = 1;
    /** SUBMIT, UPDATE and PROGRESS with a {@link Progress} after the header section; CHAIN_END with trace entries. */
    private static final byte VERSION_2 = 2;
    /** Version 2, and the envelope ends with the connector and its account (issue 13). */
    private static final byte VERSION_3 = 3;
    /** Version 3, and the envelope ends with the authenticated user and the outbound queue state (issue 15). */
    private static final byte VERSION_4 = 4;
    private static final byte INLINE = 0;
    private static final byte EXTERNAL = 1;

    private Records() {
    }

    /** A decoded SUBMIT or UPDATE; content fields are set for SUBMIT only. */
    record State(String id, SpoolEnvelope envelope, Stage stage, HeaderOverride override, Progress progress,
                 boolean external, String externalFile, long contentLength, int inlineOffset) {
    }

    /** The head of a SUBMIT whose inline content of {@code length} bytes follows it in the payload. */
    static byte[] submitInline(String id, SpoolEnvelope env, Stage stage, HeaderOverride override, Progress progress,
                               long length) {
        return encode(out -> {
            writeState(out, id, env, stage, override, progress);
            out.writeByte(INLINE);
            out.writeLong(length);
        });
    }

    static byte[] submitExternal(String id, SpoolEnvelope env, Stage stage, HeaderOverride override,
                                 Progress progress, String fileName, long length) {
        return encode(out -> {
            writeState(out, id, env, stage, override, progress);
            out.writeByte(EXTERNAL);
            writeString(out, fileName);
            out.writeLong(length);
        });
    }

    /** An UPDATE or PROGRESS payload. */
    static byte[] update(String id, SpoolEnvelope env, Stage stage, HeaderOverride override, Progress progress) {
        return encode(out -> writeState(out, id, env, stage, override, progress));
    }

    /** A CHAIN_END with the trace entries of the chain that ended. */
    static byte[] chainEnd(String id, List<TraceEntry> trace) {
        return encode(out -> {
            out.writeByte(VERSION_2);
            writeString(out, id);
            writeTrace(out, trace);
        });
    }

    /** The trace entries of a CHAIN_END (none in a version 1 record). */
    static List<TraceEntry> decodeChainEnd(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte version = in.readByte();
        readString(in);
        return version == VERSION_2 ? readTrace(in) : List.of();
    }

    static byte[] done(String id, String outcome) {
        return encode(out -> {
            out.writeByte(VERSION);
            writeString(out, id);
            writeString(out, outcome);
        });
    }

    /** A decoded {@link #SUSPECT}. */
    record Suspect(String id, int crashes, List<BindingRef> bindings) {
    }

    static byte[] call(String id, BindingRef binding) {
        return encode(out -> {
            out.writeByte(VERSION);
            writeString(out, id);
            writeString(out, binding.id());
            writeString(out, binding.name());
        });
    }

    /** A record that holds only the message id ({@link #CALL_END}, {@link #CHAIN_END}). */
    static byte[] idOnly(String id) {
        return encode(out -> {
            out.writeByte(VERSION);
            writeString(out, id);
        });
    }

    static byte[] suspect(String id, int crashes, List<BindingRef> bindings) {
        return encode(out -> {
            out.writeByte(VERSION);
            writeString(out, id);
            out.writeInt(crashes);
            out.writeInt(bindings.size());
            for (BindingRef b : bindings) {
                writeString(out, b.id());
                writeString(out, b.name());
            }
        });
    }

    /** The binding of a {@link #CALL}. */
    static BindingRef decodeCall(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        checkVersion(in.readByte());
        readString(in);
        return new BindingRef(readString(in), readString(in));
    }

    static Suspect decodeSuspect(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        checkVersion(in.readByte());
        String id = readString(in);
        int crashes = in.readInt();
        int n = in.readInt();
        if (crashes < 0 || n < 0 || n > 10_000) {
            throw new IOException("implausible suspect record: " + crashes + " crash(es), " + n + " binding(s)");
        }
        List<BindingRef> bindings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            bindings.add(new BindingRef(readString(in), readString(in)));
        }
        return new Suspect(id, crashes, bindings);
    }

    /** The message id every record type starts with (after the version). */
    static String decodeId(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte v = in.readByte();
        if (v < VERSION || v > VERSION_4) {
            throw new IOException("unknown record version " + v);
        }
        return readString(in);
    }

    static State decodeState(byte[] payload, boolean withContent) throws IOException {
        CountingInput in = new CountingInput(payload);
        byte version = in.data.readByte();
        if (version < VERSION || version > VERSION_4) {
            throw new IOException("unknown record version " + version);
        }
        String id = readString(in.data);
        SpoolEnvelope env = readEnvelope(in.data, version);
        Stage stage = Stage.values()[in.data.readByte()];
        HeaderOverride override = null;
        if (in.data.readBoolean()) {
            byte[] headers = new byte[in.data.readInt()];
            in.data.readFully(headers);
            override = new HeaderOverride(headers, in.data.readLong());
        }
        Progress progress = version >= VERSION_2 ? readProgress(in.data) : Progress.NONE;
        if (!withContent) {
            return new State(id, env, stage, override, progress, false, null, 0, 0);
        }
        byte kind = in.data.readByte();
        if (kind == INLINE) {
            long length = in.data.readLong();
            int offset = in.position();
            if (offset + length != payload.length) {
                throw new IOException("inline content length " + length + " does not match the record");
            }
            return new State(id, env, stage, override, progress, false, null, length, offset);
        }
        String file = readString(in.data);
        long length = in.data.readLong();
        return new State(id, env, stage, override, progress, true, file, length, 0);
    }

    private static void writeState(DataOutputStream out, String id, SpoolEnvelope env, Stage stage,
                                   HeaderOverride override, Progress progress) throws IOException {
        out.writeByte(VERSION_4);
        writeString(out, id);
        writeEnvelope(out, env);
        out.writeByte(stage.ordinal());
        out.writeBoolean(override != null);
        if (override != null) {
            out.writeInt(override.headers().length);
            out.write(override.headers());
            out.writeLong(override.end());
        }
        writeProgress(out, progress == null ? Progress.NONE : progress);
    }

    private static void writeProgress(DataOutputStream out, Progress p) throws IOException {
        out.writeInt(p.done().size());
        for (String b : p.done()) {
            writeString(out, b);
        }
        out.writeInt(p.notes().size());
        for (var note : p.notes().entrySet()) {
            writeString(out, note.getKey());
            writeNoteValue(out, note.getValue());
        }
        out.writeInt(p.outcomes().size());
        for (RecipientOutcome o : p.outcomes()) {
            writeString(out, o.recipient());
            writeString(out, o.kind());
            writeString(out, o.reason());
            writeString(out, o.binding());
        }
        out.writeBoolean(p.content() != null);
        if (p.content() != null) {
            writeString(out, p.content().name());
            out.writeLong(p.content().length());
        }
        writeTrace(out, p.trace());
        out.writeInt(p.generation());
    }

    private static Progress readProgress(DataInputStream in) throws IOException {
        int n = count(in);
        List<String> done = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            done.add(readString(in));
        }
        n = count(in);
        java.util.Map<String, Object> notes = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            notes.put(readString(in), readNoteValue(in));
        }
        n = count(in);
        List<RecipientOutcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(new RecipientOutcome(readString(in), readString(in), readString(in), readString(in)));
        }
        Progress.ContentFile content = in.readBoolean() ? new Progress.ContentFile(readString(in), in.readLong()) : null;
        List<TraceEntry> trace = readTrace(in);
        int generation = in.readInt();
        return new Progress(done, notes, outcomes, content, trace, generation);
    }

    private static void writeTrace(DataOutputStream out, List<TraceEntry> trace) throws IOException {
        out.writeInt(trace.size());
        for (TraceEntry t : trace) {
            out.writeLong(t.time().toEpochMilli());
            writeString(out, t.event());
            out.writeInt(t.fields().size());
            for (var f : t.fields().entrySet()) {
                writeString(out, f.getKey());
                writeString(out, f.getValue());
            }
        }
    }

    private static List<TraceEntry> readTrace(DataInputStream in) throws IOException {
        int n = count(in);
        List<TraceEntry> trace = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Instant time = Instant.ofEpochMilli(in.readLong());
            String event = readString(in);
            int m = count(in);
            java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
            for (int j = 0; j < m; j++) {
                fields.put(readString(in), readString(in));
            }
            trace.add(new TraceEntry(time, event, fields));
        }
        return trace;
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("implausible count " + n);
        }
        return n;
    }

    private static void writeNoteValue(DataOutputStream out, Object v) throws IOException {
        if (v instanceof String s) {
            out.writeByte('S');
            writeString(out, s);
        } else if (v instanceof Boolean b) {
            out.writeByte('Z');
            out.writeBoolean(b);
        } else if (v instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte('J');
            out.writeLong(l);
        } else if (v instanceof Double d) {
            out.writeByte('D');
            out.writeDouble(d);
        } else if (v instanceof Instant t) {
            out.writeByte('T');
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        } else {
            throw new IllegalArgumentException("a note cannot hold a " + v.getClass().getName());
        }
    }

    private static Object readNoteValue(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case 'S' -> readString(in);
            case 'Z' -> in.readBoolean();
            case 'I' -> in.readInt();
            case 'J' -> in.readLong();
            case 'D' -> in.readDouble();
            case 'T' -> Instant.ofEpochSecond(in.readLong(), in.readInt());
            default -> throw new IOException("unknown note type " + tag);
        };
    }

    private static void writeEnvelope(DataOutputStream out, SpoolEnvelope e) throws IOException {
        writeString(out, e.mailFrom());
        out.writeInt(e.recipients().size());
        for (String r : e.recipients()) {
            writeString(out, r);
        }
        writeOptional(out, e.helo());
        writeOptional(out, e.clientAddress());
        out.writeLong(e.arrivalTime().toEpochMilli());
        writeString(out, e.source().wireName());
        writeOptional(out, e.pickupFileName());
        writeOptional(out, e.connector());
        writeOptional(out, e.connectorAccount());
        writeOptional(out, e.authUser());
        OutboundState o = e.outbound();
        out.writeBoolean(o != null);
        if (o != null) {
            out.writeBoolean(o.delayWarned());
            out.writeInt(o.recipients().size());
            for (OutboundState.Rcpt r : o.recipients()) {
                writeString(out, r.address());
                writeString(out, r.destination());
                out.writeByte(r.status().ordinal());
                out.writeInt(r.attempts());
                out.writeLong(r.nextAttempt().toEpochMilli());
                writeOptional(out, r.lastReply());
                writeOptional(out, r.lastHost());
            }
        }
    }

    private static SpoolEnvelope readEnvelope(DataInputStream in, byte version) throws IOException {
        String from = readString(in);
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("implausible recipient count " + n);
        }
        List<String> rcpts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rcpts.add(readString(in));
        }
        String helo = readOptional(in);
        String client = readOptional(in);
        Instant arrival = Instant.ofEpochMilli(in.readLong());
        Source source = Source.fromWireName(readString(in));
        String pickup = readOptional(in);
        String connector = version >= VERSION_3 ? readOptional(in) : null;
        String account = version >= VERSION_3 ? readOptional(in) : null;
        String authUser = null;
        OutboundState outbound = null;
        if (version >= VERSION_4) {
            authUser = readOptional(in);
            if (in.readBoolean()) {
                boolean warned = in.readBoolean();
                int m = count(in);
                List<OutboundState.Rcpt> queued = new ArrayList<>(m);
                for (int i = 0; i < m; i++) {
                    String address = readString(in);
                    String destination = readString(in);
                    int status = in.readByte();
                    if (status < 0 || status >= OutboundState.Status.values().length) {
                        throw new IOException("unknown outbound status " + status);
                    }
                    queued.add(new OutboundState.Rcpt(address, destination, OutboundState.Status.values()[status],
                            in.readInt(), Instant.ofEpochMilli(in.readLong()), readOptional(in), readOptional(in)));
                }
                outbound = new OutboundState(queued, warned);
            }
        }
        return new SpoolEnvelope(from, rcpts, helo, client, arrival, source, pickup, connector, account, authUser, outbound);
    }

    private static void checkVersion(byte v) throws IOException {
        if (v != VERSION) {
            throw new IOException("unknown record version " + v);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > Journal.MAX_PAYLOAD) {
            throw new IOException("implausible string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeOptional(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] encode(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    /** A data input over a byte array that knows how far it has read. */
    private static final class CountingInput {
        private final ByteArrayInputStream bytes;
        private final DataInputStream data;
        private final int length;

        CountingInput(byte[] payload) {
            this.bytes = new ByteArrayInputStream(payload);
            this.data = new DataInputStream(bytes);
            this.length = payload.length;
        }

        int position() {
            return length - bytes.available();
        }
    }
}
