package dev.mailroot.server.spool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Collects an incoming message before it is spooled: in memory up to a limit, in a file of its own
 * in the queue folder beyond it, so a large message never sits in the heap. Used by one thread.
 */
public final class MessageBuffer extends OutputStream {
    private final Path spillFile;
    private final int inlineLimit;
    private byte[] bytes;
    private int count;
    private FileChannel spill;
    private long size;

    MessageBuffer(Path spillFile, int inlineLimit) {
        this.spillFile = spillFile;
        this.inlineLimit = inlineLimit;
        this.bytes = new byte[Math.min(inlineLimit, 16 * 1024)];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (spill == null && count + len > inlineLimit) {
            spill = FileChannel.open(spillFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writeFully(ByteBuffer.wrap(bytes, 0, count));
            bytes = null;
            count = 0;
        }
        if (spill != null) {
            writeFully(ByteBuffer.wrap(b, off, len));
        } else {
            if (count + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(inlineLimit, Math.max(bytes.length * 2, count + len)));
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }
        size += len;
    }

    private void writeFully(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            spill.write(buf);
        }
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    /** What was written so far, to read back before it is spooled (the header section, say). */
    public dev.mailroot.server.message.MessageContent content() {
        return spill != null ? dev.mailroot.server.message.MessageContent.ofFile(spillFile, 0, size)
                : dev.mailroot.server.message.MessageContent.of(bytes, 0, count);
    }

    boolean spilled() {
        return spill != null;
    }

    Path spillFile() {
        return spillFile;
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return count;
    }

    /** Makes a spilled message durable; the spool calls this before it writes the record. */
    void finish() throws IOException {
        if (spill != null && spill.isOpen()) {
            spill.force(true);
            spill.close();
        }
    }

    /** Forgets the message: a refused or failed transaction leaves nothing behind. */
    public void discard() {
        bytes = null;
        if (spill != null) {
            try {
                spill.close();
                Files.deleteIfExists(spillFile);
            } catch (IOException e) {
                // an orphan spill file is removed at the next start
            }
        }
    }

    @Override
    public void close() {
        // nothing: finish() or discard() decides the fate of the bytes
    }
}
