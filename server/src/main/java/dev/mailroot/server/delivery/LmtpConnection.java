package dev.mailroot.server.delivery;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection to an LMTP server, over TCP or a Unix domain socket, with every wait bounded: a
 * non-blocking channel and a selector, because a Unix domain {@link SocketChannel} has no socket
 * adaptor to carry {@code SO_TIMEOUT}, and one code path for both keeps them alike.
 */
final class LmtpConnection implements Closeable {
    /** RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; a server sending far more is broken. */
    private static final int MAX_LINE = 8192;
    /** A multi-line reply longer than this is a broken server, not a reply. */
    private static final int MAX_LINES = 1000;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long ioTimeoutNanos;
    private final ByteBuffer in = ByteBuffer.allocate(16 * 1024).flip();

    private LmtpConnection(SocketChannel channel, Selector selector, Duration ioTimeout) throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.key = channel.register(selector, 0);
        this.ioTimeoutNanos = ioTimeout.toNanos();
    }

    /** Connects within {@code connectTimeout}; every later read or write waits at most {@code ioTimeout}. */
    static LmtpConnection open(SocketAddress server, Duration connectTimeout, Duration ioTimeout) throws IOException {
        SocketAddress address = server;
        if (server instanceof InetSocketAddress inet && inet.isUnresolved()) {
            address = new InetSocketAddress(inet.getHostString(), inet.getPort());
        }
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Selector selector = null;
        try {
            selector = Selector.open();
            channel.configureBlocking(false);
            LmtpConnection c = new LmtpConnection(channel, selector, ioTimeout);
            if (!channel.connect(address)) {
                c.await(SelectionKey.OP_CONNECT, System.nanoTime() + connectTimeout.toNanos(),
                        "connecting to " + describe(server));
                channel.finishConnect();
            }
            return c;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    /** Sends a command line (CRLF added). */
    void command(String line) throws IOException {
        write(ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes all of {@code bytes}; each stall may last at most the I/O time limit. */
    void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) {
                await(SelectionKey.OP_WRITE, System.nanoTime() + ioTimeoutNanos, "sending to the server");
            }
        }
    }

    /** Reads one whole reply, all its lines within one I/O time limit. */
    LmtpReply reply() throws IOException {
        long deadline = System.nanoTime() + ioTimeoutNanos;
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line(deadline);
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && " -".indexOf(line.charAt(3)) < 0)
                    || (!lines.isEmpty() && !line.regionMatches(0, lines.get(0), 0, 3))) {
                throw new LmtpProtocolException("not an LMTP reply line: " + printable(line));
            }
            lines.add(line);
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return LmtpReply.of(lines);
            }
            if (lines.size() >= MAX_LINES) {
                throw new LmtpProtocolException("a reply of more than " + MAX_LINES + " lines");
            }
        }
    }

    private String line(long deadline) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                if (line.length() >= MAX_LINE) {
                    throw new LmtpProtocolException("a reply line longer than " + MAX_LINE + " bytes");
                }
                line.append((char) (b & 0xff));
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new LmtpConnectionLostException("the server closed the connection");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline, "waiting for the server's reply");
            }
        }
    }

    private void await(int op, long deadline, String doing) throws IOException {
        key.interestOps(op);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("timed out " + doing);
                }
                selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
                if (!selector.selectedKeys().isEmpty()) {
                    selector.selectedKeys().clear();
                    return;
                }
            }
        } finally {
            key.interestOps(0);
        }
    }

    /** The server as Postfix names it: {@code 127.0.0.1:24}, {@code dovecot.internal[10.0.0.5]:24}, or the socket path. */
    static String describe(SocketAddress server) {
        if (server instanceof InetSocketAddress inet) {
            String host = inet.getHostString();
            if (inet.getAddress() != null && !host.equals(inet.getAddress().getHostAddress())) {
                host += "[" + inet.getAddress().getHostAddress() + "]";
            }
            return host + ":" + inet.getPort();
        }
        return server.toString();
    }

    private static String printable(String line) {
        String cut = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }

    /** The server said something that is not LMTP. */
    static final class LmtpProtocolException extends IOException {
        LmtpProtocolException(String message) {
            super(message);
        }
    }

    /** The server closed the connection while a reply was due. */
    static final class LmtpConnectionLostException extends IOException {
        LmtpConnectionLostException(String message) {
            super(message);
        }
    }
}
