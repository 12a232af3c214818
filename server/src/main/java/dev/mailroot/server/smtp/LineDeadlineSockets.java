package dev.mailroot.server.smtp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Server sockets whose connections must finish each line within a deadline. SubEthaSMTP's idle
 * timeout applies to each read, so a client that sends one byte a second would hold its
 * connection (and a connection slot) forever; with this, a line that is not complete within
 * {@code smtp.idleTimeoutSeconds} of its first byte ends the connection with {@code 421}.
 *
 * <p>The sockets also remember whether the client's input has reached its end (the client closed
 * or half-closed the connection): SubEthaSMTP's BDAT stream reports that end as the end of the
 * message, so intake asks here whether a message that seems complete was in fact cut short.
 */
final class LineDeadlineSockets {
    private LineDeadlineSockets() {
    }

    /**
     * Whether the client's input on {@code socket} has reached its end: every later read returns
     * nothing. False for sockets this class did not make.
     */
    static boolean inputEnded(Socket socket) {
        return socket instanceof DeadlineSocket d && d.inputEnded;
    }

    /**
     * Whether the client's input on a TLS socket has ended: the client's {@code close_notify} was
     * read (the socket under it never sees the TCP end then). The JSSE says so only by refusing
     * {@code getInputStream()} once the inbound side is closed; otherwise that call has no effect.
     */
    static boolean inputEnded(javax.net.ssl.SSLSocket socket) {
        try {
            socket.getInputStream();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** An unbound server socket whose accepted sockets enforce the deadline. */
    static ServerSocket serverSocket(int deadlineMillis) throws IOException {
        return new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket s = new DeadlineSocket(deadlineMillis);
                implAccept(s);
                return s;
            }
        };
    }

    /**
     * An unbound server socket for implicit TLS: each accepted connection enforces the deadline and
     * is handed over wrapped by {@code tls} (the handshake happens at the first read, on the
     * session's thread, not on the accepting one).
     */
    static ServerSocket tlsServerSocket(int deadlineMillis, TlsWrap tls) throws IOException {
        return new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket s = new DeadlineSocket(deadlineMillis);
                implAccept(s);
                try {
                    return tls.wrap(s);
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            }
        };
    }

    /** Wraps a plain accepted socket as the server side of TLS. */
    interface TlsWrap {
        javax.net.ssl.SSLSocket wrap(Socket plain) throws IOException;
    }

    private static final class DeadlineSocket extends Socket {
        private final int deadlineMillis;
        private InputStream in;
        private volatile boolean inputEnded;

        DeadlineSocket(int deadlineMillis) {
            this.deadlineMillis = deadlineMillis;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new LineDeadlineInputStream(super.getInputStream(), this, deadlineMillis);
            }
            return in;
        }
    }

    /** Tracks when the current line began; reads fail once it is older than the deadline. */
    private static final class LineDeadlineInputStream extends FilterInputStream {
        private final DeadlineSocket socket;
        private final long deadlineNanos;
        private long lineStarted = -1;

        LineDeadlineInputStream(InputStream in, DeadlineSocket socket, int deadlineMillis) {
            super(in);
            this.socket = socket;
            this.deadlineNanos = deadlineMillis * 1_000_000L;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int idle = socket.getSoTimeout();
            if (lineStarted >= 0) {
                long left = deadlineNanos - (System.nanoTime() - lineStarted);
                if (left <= 0) {
                    throw new SocketTimeoutException("a line was not completed within " + deadlineNanos / 1_000_000_000L + " s");
                }
                int leftMs = (int) Math.max(1, left / 1_000_000L);
                socket.setSoTimeout(idle == 0 ? leftMs : Math.min(idle, leftMs));
            }
            int n;
            try {
                n = super.read(b, off, len);
            } finally {
                if (lineStarted >= 0) {
                    socket.setSoTimeout(idle);
                }
            }
            if (n < 0) {
                socket.inputEnded = true;
            }
            if (n > 0) {
                int lastNewline = -1;
                for (int i = off + n - 1; i >= off; i--) {
                    if (b[i] == '\n') {
                        lastNewline = i;
                        break;
                    }
                }
                if (lastNewline >= 0) {
                    lineStarted = lastNewline < off + n - 1 ? System.nanoTime() : -1;
                } else if (lineStarted < 0) {
                    lineStarted = System.nanoTime();
                }
            }
            return n;
        }
    }
}
