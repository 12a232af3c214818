package dev.mailroot.server.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.mailroot.server.spool.SegmentFormat.SEGMENT_MAGIC;

/**
 * Preallocates the journal's next segment: a background thread writes it in full (magic, then
 * zeros up to the segment size, fsync'd, then renamed to {@value #PREPARED}) while the current one
 * fills, and a roll renames it into place; one left at a stop serves the next start. An append then
 * overwrites blocks the file already has, so its {@code fdatasync} flushes data only, not the
 * inode's new size (on ext4 about half the time of an appending one: measured 262–280 µs against
 * 490–693 µs for 4 KB). The zeros after the last record are the end of the segment when it is read
 * back, not damage. If no prepared segment is ready, the roll creates an empty one that grows as
 * records are appended. A segment is prepared only while the disk has room for it and for two more
 * after it, so a small disk is never filled by preallocation; a preparation that fails leaves no
 * partial file.
 *
 * <p>{@link #moveInto} and {@link #prepareNext} are called by the journal under its lock; the
 * preparation itself runs on the {@code spool-prealloc} thread.
 */
final class SegmentPreparer {

    /** Log lines keep the name they have always had ({@code Journal: MR1014 ...}). */
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** The next segment, complete and durable; never read as a segment. Kept across restarts. */
    static final String PREPARED = "next-segment.pre";
    /** {@link #PREPARED} while it is being written (deleted at open). */
    private static final String PREPARING = "next-segment.pre.tmp";
    private static final int ZERO_CHUNK = 1 << 20;
    /**
     * Segments preallocated at most: a segment is prepared only if this many segments' worth of
     * space is free, so that after it the disk still has room for two segments of messages (a
     * small disk gets no preallocation at all rather than a full one).
     */
    static final int PREALLOCATE_ROOM = 3;

    /** The usable space of the journal's file system, in bytes (a test may pretend). */
    interface FreeSpace {
        long usable() throws IOException;

        static FreeSpace of(Path dir) {
            return () -> Files.getFileStore(dir).getUsableSpace();
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private final FreeSpace freeSpace;
    /** Whether the journal is closing: nothing more is prepared, and a preparation under way stops. */
    private final BooleanSupplier closing;
    private final ExecutorService executor;
    /** Completes with true once {@link #PREPARED} is complete and durable; null before the first. */
    private Future<Boolean> prepared;
    /** Whether the last decision not to preallocate (too little space) was logged; said once per change. */
    private volatile boolean toldNoRoom;

    /**
     * Removes a preparation a stop cut short, and keeps a complete prepared segment left at the last
     * stop for the first roll.
     */
    SegmentPreparer(Path dir, long segmentBytes, FreeSpace freeSpace, BooleanSupplier closing) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.freeSpace = freeSpace;
        this.closing = closing;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "spool-prealloc");
            t.setDaemon(true);
            return t;
        });
        Files.deleteIfExists(dir.resolve(PREPARING));
        Path left = dir.resolve(PREPARED);
        if (Files.isRegularFile(left) && Files.size(left) == Math.max(segmentBytes, SEGMENT_MAGIC.length)) {
            prepared = CompletableFuture.completedFuture(true);
        } else {
            Files.deleteIfExists(left);
        }
    }

    /**
     * If a complete prepared segment is waiting, renames it to {@code segment} and returns true.
     * Never waits: one still being written is left to finish for the roll after this one.
     */
    boolean moveInto(Path segment) throws IOException {
        if (!takePrepared()) {
            return false;
        }
        Files.move(dir.resolve(PREPARED), segment, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private boolean takePrepared() {
        Future<Boolean> f = prepared;
        if (f == null || !f.isDone()) {
            return false;
        }
        prepared = null;
        try {
            return f.get();
        } catch (Exception e) {
            return false;
        }
    }

    /** Starts preparing the next segment, unless one is ready or under way or the journal is closing. */
    void prepareNext() {
        if (closing.getAsBoolean() || prepared != null) {
            return;
        }
        prepared = executor.submit(this::prepare);
    }

    /** Writes {@link #PREPARED}; false if there is no room for it or it failed (leaving no partial file). */
    private boolean prepare() {
        Path tmp = dir.resolve(PREPARING);
        try {
            Files.deleteIfExists(tmp);
            if (!roomToPrepare()) {
                return false;
            }
            writeSegment(tmp);
            Files.move(tmp, dir.resolve(PREPARED), StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            // a partial segment only takes space (on a full disk, the space everything else needs)
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // removed at the next open
            }
            if (!closing.getAsBoolean()) {
                log.warn("MR1014 cannot preallocate the next spool segment (appends will grow it instead): {}",
                        e.toString());
            }
            return false;
        }
    }

    /** Writes a whole empty segment to {@code tmp}: its magic, then zeros up to the segment size, fsync'd. */
    private void writeSegment(Path tmp) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(SEGMENT_MAGIC));
            ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
            long pos = SEGMENT_MAGIC.length;
            int sinceSync = 0;
            while (pos < segmentBytes) {
                if (closing.getAsBoolean()) {
                    break;
                }
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, segmentBytes - pos));
                pos += ch.write(zeros, pos);
                if (++sinceSync == 4) {   // flush as we go: no 32 MB burst in the device queue at once
                    ch.force(false);
                    sinceSync = 0;
                }
            }
            if (closing.getAsBoolean()) {
                throw new IOException("the spool is closing");
            }
            ch.force(true);
        }
    }

    /**
     * Whether the disk has room for a preallocated segment and, after it, for two more segments'
     * worth of messages ({@link #PREALLOCATE_ROOM}). Said once ({@code MR1019}) when it has not.
     */
    private boolean roomToPrepare() throws IOException {
        long usable = freeSpace.usable();
        long needed = PREALLOCATE_ROOM * Math.max(segmentBytes, SEGMENT_MAGIC.length);
        if (usable >= needed) {
            toldNoRoom = false;
            return true;
        }
        if (!toldNoRoom) {
            toldNoRoom = true;
            log.info("MR1019 not preallocating spool segments: {} MB free in {}, {} MB needed (a {} MB segment and "
                    + "room for two more after it); segments grow as records are appended", usable >> 20, dir,
                    needed >> 20, segmentBytes >> 20);
        }
        return false;
    }

    /** Waits for a preparation under way to stop (at its next 1 MB once the journal is closing). */
    void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
