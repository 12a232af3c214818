package dev.mailroot.server.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The bytes of a message, wherever they live: in memory, in a region of a file, or a header block
 * followed by a slice of another content. Immutable; may be read any number of times.
 */
public interface MessageContent {

    /** The number of bytes. */
    long size();

    /** A new stream over all the bytes. */
    InputStream open() throws IOException;

    /** Writes all the bytes to {@code out}, using zero-copy transfers where the source allows. */
    void writeTo(WritableByteChannel out) throws IOException;

    /** The bytes from {@code offset} to the end. */
    MessageContent slice(long offset);

    /** Content held in memory; the array is not copied, so it must not change afterwards. */
    static MessageContent of(byte[] bytes, int offset, int length) {
        return new Bytes(bytes, offset, length);
    }

    static MessageContent of(byte[] bytes) {
        return new Bytes(bytes, 0, bytes.length);
    }

    /** A region of a file that does not change while this content is in use. */
    static MessageContent ofFile(Path file, long offset, long length) {
        return new FileRegion(file, offset, length);
    }

    /**
     * A region of a file already open, read through {@code channel} and never through the file's
     * name again (so a name swapped for a link meanwhile is never followed). The channel stays the
     * caller's: it must stay open while this content is in use, and the caller closes it.
     */
    static MessageContent ofChannel(FileChannel channel, long offset, long length) {
        return new ChannelRegion(channel, offset, length);
    }

    /** {@code head} followed by {@code tail}. */
    static MessageContent concat(MessageContent head, MessageContent tail) {
        return new Concat(head, tail);
    }

    /** Reads all of a content into memory; for small contents only. */
    static byte[] readAll(MessageContent content) throws IOException {
        if (content.size() > Integer.MAX_VALUE - 16) {
            throw new IOException("content too large to hold in memory: " + content.size());
        }
        try (InputStream in = content.open()) {
            return in.readAllBytes();
        }
    }

    /** In-memory content. */
    record Bytes(byte[] bytes, int offset, int length) implements MessageContent {
        public Bytes {
            Objects.checkFromIndexSize(offset, length, bytes.length);
        }

        @Override
        public long size() {
            return length;
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes, offset, length);
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        }

        @Override
        public MessageContent slice(long from) {
            Objects.checkIndex(from, (long) length + 1);
            return new Bytes(bytes, offset + (int) from, length - (int) from);
        }
    }

    /** A region of a file. */
    record FileRegion(Path file, long offset, long length) implements MessageContent {
        @Override
        public long size() {
            return length;
        }

        @Override
        public InputStream open() throws IOException {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            return new BoundedInputStream(Channels.newInputStream(ch), length);
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long pos = offset;
                long end = offset + length;
                while (pos < end) {
                    long n = ch.transferTo(pos, end - pos, out);
                    if (n <= 0) {
                        throw new IOException(file + " is shorter than expected (" + end + " bytes)");
                    }
                    pos += n;
                }
            }
        }

        @Override
        public MessageContent slice(long from) {
            Objects.checkIndex(from, length + 1);
            return new FileRegion(file, offset + from, length - from);
        }
    }

    /** A region of an open file. */
    record ChannelRegion(FileChannel channel, long offset, long length) implements MessageContent {
        @Override
        public long size() {
            return length;
        }

        @Override
        public InputStream open() {
            return new ChannelInputStream(channel, offset, length);
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                long n = channel.transferTo(pos, end - pos, out);
                if (n <= 0) {
                    throw new IOException("the file is shorter than expected (" + end + " bytes)");
                }
                pos += n;
            }
        }

        @Override
        public MessageContent slice(long from) {
            Objects.checkIndex(from, length + 1);
            return new ChannelRegion(channel, offset + from, length - from);
        }
    }

    /** Two contents, one after the other. */
    record Concat(MessageContent head, MessageContent tail) implements MessageContent {
        @Override
        public long size() {
            return head.size() + tail.size();
        }

        @Override
        public InputStream open() throws IOException {
            return new SequenceInputStream(head.open(), tail.open());
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            head.writeTo(out);
            tail.writeTo(out);
        }

        @Override
        public MessageContent slice(long from) {
            long h = head.size();
            return from >= h ? tail.slice(from - h) : new Concat(head.slice(from), tail);
        }
    }
}
