package dev.mailroot.server.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static dev.mailroot.server.spool.SegmentFormat.FRAME_HEADER;
import static dev.mailroot.server.spool.SegmentFormat.FRAME_TRAILER;
import static dev.mailroot.server.spool.SegmentFormat.RECORD_MAGIC;
import static dev.mailroot.server.spool.SegmentFormat.SEGMENT_MAGIC;

/**
 * An append-only log of records split into segment files ({@code <16 hex digits>.seg}), with group
 * commit: appends from many threads are written together and made durable with one
 * {@code fdatasync}, and each append's future completes only after that. This is the spool's commit
 * point: a record whose future completed survives a crash.
 *
 * <p>Segments and records are written as {@link SegmentFormat} says.
 *
 * <p>Segments are preallocated by a {@link SegmentPreparer}, so that an append's {@code fdatasync}
 * flushes data only (it says by how much); a roll takes the prepared segment if one is ready, and
 * otherwise creates an empty one that grows as records are appended. At open, each segment is
 * read back by a {@link SegmentReader}.
 *
 * <p>A commit that fails (a full disk) takes back what it wrote, so neither a record cut short nor
 * a record whose writer was told it failed is found at the next start.
 *
 * <p>Thread-safe. Appends are written by one committer thread, in the order they were queued.
 */
final class Journal implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** No record is larger than this ({@link SegmentFormat#MAX_PAYLOAD}); larger appends fail. */
    static final int MAX_PAYLOAD = SegmentFormat.MAX_PAYLOAD;
    private static final int MAX_BATCH = 512;
    /** How long a record nobody waits for (DONE) may wait to share a commit. */
    private static final long LATER_NANOS = 10_000_000L;
    /** How long a record only the server waits for (UPDATE) may wait to share a commit, while intake is busy. */
    private static final long SOON_NANOS = 2_000_000L;
    /** Intake counts as busy while the last record a client waits for is at most this old. */
    private static final long BUSY_NANOS = 5_000_000L;
    /** Not a record type: queued by {@link #close()} to stop the committer after what is before it. */
    private static final byte CLOSE_MARKER = 0;

    /** Where a record starts. */
    record Position(long segment, long offset) {
        /** The offset in the segment of byte {@code i} of this record's payload. */
        long payloadOffset(int i) {
            return offset + FRAME_HEADER + i;
        }
    }

    /** Receives each intact record while the journal is read back at open. */
    interface Replay {
        void record(Position position, byte type, byte[] payload) throws IOException;

        /** A stretch of bytes that is not an intact record. */
        void corrupt(long segment, long offset, String why);
    }

    /** Who waits for a record, and so how long it may wait to share the fsync of others. */
    enum Wait {
        /** A client (an SMTP {@code 250}): committed without waiting. */
        NOW,
        /**
         * The server (a delivery): while intake is busy it waits up to 2 ms to share the commit of the
         * next {@link #NOW} record; when intake is idle it is committed at once.
         */
        SOON,
        /** Nobody: waits up to 10 ms to share the next commit. */
        LATER
    }

    private record Append(byte type, byte[] head, byte[] body, int bodyOffset, int bodyLength, Wait patience,
                          Consumer<Position> onCommit, CompletableFuture<Position> done) {
        int payloadLength() {
            return head.length + bodyLength;
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final SegmentListener listener;
    private final SegmentPreparer preparer;
    private volatile boolean closed;
    /** When the last {@link Wait#NOW} record was queued. */
    private volatile long lastNow = System.nanoTime() - 2 * BUSY_NANOS;
    private FileChannel active;
    private long activeSeq;
    private long activeSize;

    /** Told when a new segment becomes the one appended to. */
    interface SegmentListener {
        void rolled(long newSegment);
    }

    private Journal(Path dir, long segmentBytes, long firstSeq, SegmentListener listener,
                    SegmentPreparer.FreeSpace freeSpace) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.listener = listener;
        this.preparer = new SegmentPreparer(dir, segmentBytes, freeSpace, () -> closed);
        openSegment(firstSeq);
        this.committer = new Thread(this::commitLoop, "spool-commit");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /**
     * Reads back every segment in {@code dir} in order, handing each intact record to
     * {@code replay}, then starts a new segment for appends.
     */
    static Journal open(Path dir, long segmentBytes, Replay replay, SegmentListener listener) throws IOException {
        return open(dir, segmentBytes, replay, listener, SegmentPreparer.FreeSpace.of(dir));
    }

    /** As above, with the free space the preallocation goes by. */
    static Journal open(Path dir, long segmentBytes, Replay replay, SegmentListener listener,
                        SegmentPreparer.FreeSpace freeSpace) throws IOException {
        Files.createDirectories(dir);
        List<Long> segments = segments(dir);
        for (long seq : segments) {
            SegmentReader.read(segmentPath(dir, seq), seq, replay);
        }
        long next = segments.isEmpty() ? 1 : segments.get(segments.size() - 1) + 1;
        return new Journal(dir, segmentBytes, next, listener, freeSpace);
    }

    /** The segment numbers present in {@code dir}, oldest first. */
    static List<Long> segments(Path dir) throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                try {
                    seqs.add(Long.parseUnsignedLong(name.substring(0, name.length() - 4), 16));
                } catch (NumberFormatException e) {
                    log.warn("MR1013 ignoring {} in the spool: not a segment name", p);
                }
            }
        }
        seqs.sort(null);
        return seqs;
    }

    Path segmentPath(long seq) {
        return segmentPath(dir, seq);
    }

    static Path segmentPath(Path dir, long seq) {
        return dir.resolve(String.format("%016x.seg", seq));
    }

    /**
     * Queues a record whose payload is {@code head} followed by {@code body[bodyOffset..+bodyLength]}.
     * Once it is durable, {@code onCommit} runs on the committer thread (before the segment it went
     * to can stop being the active one) and then the future completes with the record's position;
     * if it could not be written the future completes exceptionally. The arrays must not change
     * until then.
     */
    CompletableFuture<Position> append(byte type, byte[] head, byte[] body, int bodyOffset, int bodyLength,
                                       Consumer<Position> onCommit) {
        return append(type, head, body, bodyOffset, bodyLength, Wait.NOW, onCommit);
    }

    /** As above; {@code patience} says how long the record may wait to share the fsync of others. */
    CompletableFuture<Position> append(byte type, byte[] head, byte[] body, int bodyOffset, int bodyLength,
                                       Wait patience, Consumer<Position> onCommit) {
        CompletableFuture<Position> done = new CompletableFuture<>();
        if (head.length + (long) bodyLength > MAX_PAYLOAD) {
            done.completeExceptionally(new IOException("record too large: " + (head.length + bodyLength)));
            return done;
        }
        if (closed) {
            done.completeExceptionally(new IOException("spool is closed"));
            return done;
        }
        if (patience == Wait.NOW) {
            lastNow = System.nanoTime();
        }
        queue.add(new Append(type, head, body == null ? new byte[0] : body, bodyOffset, bodyLength, patience, onCommit, done));
        return done;
    }

    CompletableFuture<Position> append(byte type, byte[] payload, Consumer<Position> onCommit) {
        return append(type, payload, null, 0, 0, Wait.NOW, onCommit);
    }

    /** A record of {@code payload} that may wait as {@code patience} says to share the fsync of others. */
    CompletableFuture<Position> append(byte type, byte[] payload, Wait patience, Consumer<Position> onCommit) {
        return append(type, payload, null, 0, 0, patience, onCommit);
    }

    /** The segment appends currently go to. */
    synchronized long activeSegment() {
        return activeSeq;
    }

    void deleteSegment(long seq) throws IOException {
        Files.deleteIfExists(segmentPath(seq));
    }

    private void commitLoop() {
        List<Append> batch = new ArrayList<>(MAX_BATCH);
        List<Append> work = new ArrayList<>(MAX_BATCH);
        while (true) {
            batch.clear();
            work.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            waitToShare(batch);
            boolean stop = false;
            for (Append a : batch) {
                if (a.type() == CLOSE_MARKER) {
                    stop = true;
                } else if (stop) {
                    a.done().completeExceptionally(new IOException("spool is closed"));
                } else {
                    work.add(a);
                }
            }
            if (!work.isEmpty()) {
                commit(work);
            }
            if (stop) {
                failAll(new IOException("spool is closed"));
                return;
            }
        }
    }

    /** Fails every append still queued: the journal is closed. */
    private void failAll(IOException e) {
        Append a;
        while ((a = queue.poll()) != null) {
            if (a.type() != CLOSE_MARKER) {
                a.done().completeExceptionally(e);
            }
        }
    }

    /**
     * Gathers more records into {@code batch} for as long as the records in it may wait (see
     * {@link Wait}), or until one arrives that may not.
     */
    private void waitToShare(List<Append> batch) {
        long start = System.nanoTime();
        long limit = mayWait(batch, start);   // nanoseconds after start
        try {
            while (limit > 0 && batch.size() < MAX_BATCH) {
                long left = start + limit - System.nanoTime();
                Append a = left > 0 ? queue.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS) : null;
                if (a == null) {
                    return;
                }
                int from = batch.size();
                batch.add(a);
                queue.drainTo(batch, MAX_BATCH - batch.size());
                long now = System.nanoTime();
                limit = Math.min(limit, now - start + mayWait(batch.subList(from, batch.size()), now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long from {@code now} every record of {@code appends} may wait; 0 if one may not. */
    private long mayWait(List<Append> appends, long now) {
        long limit = Long.MAX_VALUE;
        for (Append a : appends) {
            switch (a.patience()) {
                case NOW -> {
                    return 0;
                }
                case SOON -> {
                    if (now - lastNow > BUSY_NANOS) {
                        return 0;   // intake is idle: no 250 is coming to share with
                    }
                    limit = Math.min(limit, SOON_NANOS);
                }
                case LATER -> limit = Math.min(limit, LATER_NANOS);
            }
        }
        return limit;
    }

    /**
     * Writes {@code batch} to the active segment and makes it durable with one {@code fdatasync};
     * if that fails, takes it back and fails every append of it. Rolls to a new segment when full.
     */
    private void commit(List<Append> batch) {
        List<Position> positions = new ArrayList<>(batch.size());
        long start = -1;
        try {
            synchronized (this) {
                start = activeSize;
                long seq = activeSeq;
                for (Append a : batch) {
                    positions.add(new Position(seq, activeSize));
                    activeSize += write(a);
                }
                active.force(false);
            }
        } catch (IOException | RuntimeException e) {
            log.error("MR1007 spool write failed; {} record(s) not stored: {}", batch.size(), e.toString());
            takeBack(start);
            for (Append a : batch) {
                a.done().completeExceptionally(e instanceof IOException io ? io : new IOException(e));
            }
            return;
        }
        committed(batch, positions);
        if (activeSize >= segmentBytes) {
            try {
                roll();
            } catch (IOException e) {
                log.error("MR1007 cannot start a new spool segment: {}", e.toString());
            }
        }
    }

    /** Tells the writers of a durable batch, in order: each record's callback, then its future. */
    private static void committed(List<Append> batch, List<Position> positions) {
        for (int i = 0; i < batch.size(); i++) {
            Append a = batch.get(i);
            try {
                a.onCommit().accept(positions.get(i));
            } catch (RuntimeException e) {
                log.error("spool commit callback failed", e);
            }
            a.done().complete(positions.get(i));
        }
    }

    private long write(Append a) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(a.type());
        crc.update(a.head());
        crc.update(a.body(), a.bodyOffset(), a.bodyLength());
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER).putInt(RECORD_MAGIC).put(a.type()).putInt(a.payloadLength());
        ByteBuffer trailer = ByteBuffer.allocate(FRAME_TRAILER).putInt((int) crc.getValue());
        ByteBuffer[] parts = {header.flip(), ByteBuffer.wrap(a.head()),
                ByteBuffer.wrap(a.body(), a.bodyOffset(), a.bodyLength()), trailer.flip()};
        long total = FRAME_HEADER + (long) a.payloadLength() + FRAME_TRAILER;
        long written = 0;
        while (written < total) {
            written += active.write(parts);
        }
        return total;
    }

    /**
     * Removes what a failed commit wrote from {@code start} on: a record cut short (a full disk
     * stops a write in the middle), and the records of the batch before it, whose writers are told
     * they were not stored, so a restart must not find them either. The next records are written
     * from {@code start}. If the segment cannot be cut back, appends move to a new segment.
     */
    private void takeBack(long start) {
        if (start < 0) {
            return;
        }
        try {
            synchronized (this) {
                active.truncate(start);
                active.position(start);
                activeSize = start;
                active.force(true);
            }
        } catch (IOException | RuntimeException e) {
            log.error("MR1007 cannot take back a failed spool write ({}); starting a new segment", e.toString());
            try {
                roll();
            } catch (IOException rollFailed) {
                log.error("MR1007 cannot start a new spool segment after a write failure: {}", rollFailed.toString());
            }
        }
    }

    private void roll() throws IOException {
        long seq;
        synchronized (this) {
            FileChannel old = active;
            openSegment(activeSeq + 1);
            old.close();
            seq = activeSeq;
        }
        listener.rolled(seq);
    }

    private synchronized void openSegment(long seq) throws IOException {
        Path path = segmentPath(seq);
        FileChannel ch;
        if (preparer.moveInto(path)) {
            ch = FileChannel.open(path, StandardOpenOption.WRITE);
            ch.position(SEGMENT_MAGIC.length);
        } else {
            ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                ch.write(ByteBuffer.wrap(SEGMENT_MAGIC));
                ch.force(true);
            } catch (IOException e) {
                // a full disk: leave no headerless segment behind (it would be reported as damage at start)
                ch.close();
                Files.deleteIfExists(path);
                throw e;
            }
        }
        Fsync.directory(dir);
        active = ch;
        activeSeq = seq;
        activeSize = SEGMENT_MAGIC.length;
        preparer.prepareNext();
    }

    /** Writes what is queued, then stops the committer and closes the active segment. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(new Append(CLOSE_MARKER, new byte[0], new byte[0], 0, 0, Wait.NOW, p -> { }, new CompletableFuture<>()));
        try {
            committer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        preparer.close();
        synchronized (this) {
            active.close();
        }
    }
}
