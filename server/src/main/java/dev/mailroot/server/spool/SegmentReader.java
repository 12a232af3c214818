package dev.mailroot.server.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static dev.mailroot.server.spool.SegmentFormat.FRAME_HEADER;
import static dev.mailroot.server.spool.SegmentFormat.FRAME_TRAILER;
import static dev.mailroot.server.spool.SegmentFormat.MAX_PAYLOAD;
import static dev.mailroot.server.spool.SegmentFormat.RECORD_MAGIC;
import static dev.mailroot.server.spool.SegmentFormat.SEGMENT_MAGIC;

/**
 * Reads a journal segment back when the spool opens ({@link SegmentFormat}). A stretch that is not
 * an intact record (cut short by a crash, or failing its checksum) is reported and skipped up to
 * the next record magic, so the records after it still count. The zeros after the last record of
 * a preallocated segment are its end, not damage; a torn record among them is still reported.
 */
final class SegmentReader {

    private SegmentReader() {
    }

    /**
     * Hands each intact record of segment {@code seq}, stored at {@code path}, to {@code replay} in
     * order, and reports each stretch that is not one.
     */
    static void read(Path path, long seq, Journal.Replay replay) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer magic = ByteBuffer.allocate(SEGMENT_MAGIC.length);
            if (readFully(ch, magic, 0) < SEGMENT_MAGIC.length
                    || !java.util.Arrays.equals(magic.array(), SEGMENT_MAGIC)) {
                replay.corrupt(seq, 0, "not a spool segment (bad header)");
                return;
            }
            long pos = SEGMENT_MAGIC.length;
            while (pos < size) {
                long next = readRecord(ch, seq, pos, size, replay);
                if (next < 0 && zeros(ch, pos, size)) {
                    return;   // the preallocated rest of the segment: nothing was written there
                }
                if (next < 0) {
                    long resync = resync(ch, pos + 1, size);
                    replay.corrupt(seq, pos, resync < 0 ? "damaged record at the end of the segment"
                            : "damaged record; skipped " + (resync - pos) + " bytes");
                    if (resync < 0) {
                        return;
                    }
                    pos = resync;
                } else {
                    pos = next;
                }
            }
        }
    }

    /** Whether every byte from {@code from} to {@code size} is zero. */
    private static boolean zeros(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = from;
        while (pos < size) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                return true;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) != 0) {
                    return false;
                }
            }
            pos += n;
        }
        return true;
    }

    /** Reads the record at {@code pos}; returns the position after it, or -1 if it is not intact. */
    private static long readRecord(FileChannel ch, long seq, long pos, long size, Journal.Replay replay) throws IOException {
        if (size - pos < FRAME_HEADER + FRAME_TRAILER) {
            return -1;
        }
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
        readFully(ch, header, pos);
        header.flip();
        if (header.getInt() != RECORD_MAGIC) {
            return -1;
        }
        byte type = header.get();
        int length = header.getInt();
        if (length < 0 || length > MAX_PAYLOAD || pos + FRAME_HEADER + length + FRAME_TRAILER > size) {
            return -1;
        }
        ByteBuffer payload = ByteBuffer.allocate(length + FRAME_TRAILER);
        if (readFully(ch, payload, pos + FRAME_HEADER) < length + FRAME_TRAILER) {
            return -1;
        }
        byte[] bytes = payload.array();
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(bytes, 0, length);
        int stored = ByteBuffer.wrap(bytes, length, FRAME_TRAILER).getInt();
        if ((int) crc.getValue() != stored) {
            return -1;
        }
        replay.record(new Journal.Position(seq, pos), type, java.util.Arrays.copyOf(bytes, length));
        return pos + FRAME_HEADER + length + FRAME_TRAILER;
    }

    /** The next position after {@code from} where an intact-looking record magic starts, or -1. */
    private static long resync(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long base = from;
        while (base < size) {
            buf.clear();
            int n = readFully(ch, buf, base);
            if (n < 4) {
                return -1;
            }
            for (int i = 0; i + 4 <= n; i++) {
                if (buf.getInt(i) == RECORD_MAGIC) {
                    return base + i;
                }
            }
            base += n - 3;
        }
        return -1;
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
