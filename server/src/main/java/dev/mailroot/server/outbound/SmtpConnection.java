package dev.mailroot.server.outbound;

import dev.mailroot.server.message.DataStream;
import dev.mailroot.server.message.MessageContent;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One SMTP connection with every wait bounded: reads by {@code SO_TIMEOUT}, the message's writes by
 * a watchdog that closes the socket when a write stalls (a blocking socket has no write time
 * limit). Records each line both ways in the attempt's transcript. A blocking {@link Socket}
 * rather than the LMTP client's selector, because STARTTLS is then {@link SSLSocketFactory}'s
 * layering over the same socket.
 */
final class SmtpConnection implements Closeable {
    /** RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; a server sending far more is broken. */
    private static final int MAX_LINE = 8192;
    private static final int MAX_LINES = 1000;

    private final List<String> transcript;
    private final ScheduledExecutorService watchdog;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private List<String> lastLines = List.of();

    private SmtpConnection(Socket socket, List<String> transcript, ScheduledExecutorService watchdog) throws IOException {
        this.socket = socket;
        this.transcript = transcript;
        this.watchdog = watchdog;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects within {@code connectTimeout}. */
    static SmtpConnection open(InetSocketAddress to, Duration connectTimeout, List<String> transcript,
                               ScheduledExecutorService watchdog) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(to, (int) Math.max(1, connectTimeout.toMillis()));
            s.setTcpNoDelay(true);
            return new SmtpConnection(s, transcript, watchdog);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Sends a command line (CRLF added), shown in the transcript as itself. */
    void command(String line) throws IOException {
        command(line, line);
    }

    /** Sends a command line, shown in the transcript as {@code shown} (credentials redacted). */
    void command(String line, String shown) throws IOException {
        transcript.add("C: " + shown);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one whole reply; each read waits at most {@code timeout}. */
    SmtpReply reply(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            transcript.add("S: " + line);
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
                    || (line.length() > 3 && " -".indexOf(line.charAt(3)) < 0)
                    || (!lines.isEmpty() && !line.regionMatches(0, lines.get(0), 0, 3))
                    || line.charAt(0) < '2' || line.charAt(0) > '5') {
                throw new ProtocolException("not an SMTP reply line: " + printable(line));
            }
            lines.add(line);
            if (line.length() == 3 || line.charAt(3) == ' ') {
                lastLines = List.copyOf(lines);
                return SmtpReply.parse(lines);
            }
            if (lines.size() >= MAX_LINES) {
                throw new ProtocolException("a reply of more than " + MAX_LINES + " lines");
            }
        }
    }

    /** The lines of the last reply read, for the EHLO keywords. */
    List<String> lastLines() {
        return lastLines;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new ConnectionLostException("the server closed the connection");
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new ProtocolException("a reply line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    /**
     * Layers TLS over the connection after the server's {@code 220} to {@code STARTTLS} and
     * completes the handshake. Bytes the server sent after that {@code 220} in plaintext would be
     * read as if they came under TLS (the STARTTLS injection of CVE-2011-0411): refused.
     *
     * @param verifyHost check the certificate's names against {@code host} (RFC 6125)
     */
    void startTls(SSLSocketFactory factory, String host, int port, boolean verifyHost, Duration timeout) throws IOException {
        if (in.available() > 0) {
            throw new ProtocolException("the server sent data after its reply to STARTTLS, before the TLS handshake");
        }
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, host, port, true);
        SSLParameters p = tls.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (verifyHost) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isAddressLiteral(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        tls.setSSLParameters(p);
        tls.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        socket = tls;
        in = new BufferedInputStream(tls.getInputStream());
        out = tls.getOutputStream();
        tls.startHandshake();
        transcript.add("* TLS started: " + tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite());
    }

    /** Whether the connection is under TLS now. */
    boolean tls() {
        return socket instanceof SSLSocket;
    }

    /**
     * Sends the message (CRLF, dot-stuffed, final dot); a write that does not finish within
     * {@code timeout} closes the connection and fails as a timeout.
     */
    void sendData(MessageContent message, Duration timeout) throws IOException {
        transcript.add("C: <the message, " + message.size() + " bytes>");
        transcript.add("C: .");
        DataStream.send(message, bytes -> write(bytes, timeout));
    }

    private void write(ByteBuffer bytes, Duration timeout) throws IOException {
        Socket s = socket;
        ScheduledFuture<?> alarm = watchdog.schedule(() -> closeQuietly(s), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            bytes.position(bytes.limit());
        } catch (IOException e) {
            if (alarm.isDone()) {
                throw new SocketTimeoutException("timed out sending the message (no progress for " + timeout.toMillis() + " ms)");
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing to end a stalled write; nothing else to do
        }
    }

    static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static String printable(String line) {
        String cut = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The server said something that is not SMTP. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** The server closed the connection while a reply was due. */
    static final class ConnectionLostException extends IOException {
        ConnectionLostException(String message) {
            super(message);
        }
    }
}
