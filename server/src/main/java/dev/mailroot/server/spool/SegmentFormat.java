package dev.mailroot.server.spool;

import java.nio.charset.StandardCharsets;

/**
 * The on-disk format of a journal segment, which the {@link Journal} writes and the
 * {@link SegmentReader} reads back: {@link #SEGMENT_MAGIC}, then records one after another.
 *
 * <p>Record framing: magic {@code "MRJ1"}, type (1 byte), payload length (4 bytes), payload,
 * CRC-32C of type and payload (4 bytes). A record cut short by a crash, or one whose checksum does
 * not match, is skipped when the journal is read back.
 */
final class SegmentFormat {

    static final byte[] SEGMENT_MAGIC = "MRSEG001".getBytes(StandardCharsets.US_ASCII);
    static final int RECORD_MAGIC = 0x4D524A31; // "MRJ1"
    static final int FRAME_HEADER = 9;
    static final int FRAME_TRAILER = 4;
    /** No record is larger than this; a length field above it is corruption. */
    static final int MAX_PAYLOAD = 64 << 20;

    private SegmentFormat() {
    }
}
