package dev.mailroot.server.doctor;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * A minimal SMTP client for the doctor's own sessions with the server's listeners: the greeting,
 * EHLO, STARTTLS (any certificate is accepted: the doctor wants to see it, not to trust it), and
 * single commands. Not thread-safe; one session per instance.
 */
final class SmtpProbe implements AutoCloseable {
    /** One reply: its code and its last line. */
    record Reply(int code, String text) {
        boolean positive() {
            return code >= 200 && code < 400;
        }
    }

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private X509Certificate peer;
    private final String host;

    private SmtpProbe(Socket socket, String host) throws IOException {
        this.host = host;
        attach(socket);
    }

    /** Connects to {@code host:port}; with {@code implicitTls} the TLS handshake comes first. */
    static SmtpProbe connect(String host, int port, boolean implicitTls, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            SmtpProbe p = new SmtpProbe(s, host);
            if (implicitTls) {
                p.handshake();
            }
            return p;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void attach(Socket s) throws IOException {
        socket = s;
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        out = s.getOutputStream();
    }

    private void handshake() throws IOException {
        // the doctor inspects the certificate itself: the handshake must not refuse it first
        SSLContext ctx = dev.mailroot.server.tls.AnyCertificate.context();
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        peer = (X509Certificate) tls.getSession().getPeerCertificates()[0];
        attach(tls);
    }

    /** The certificate the server presented, or null before TLS. */
    X509Certificate certificate() {
        return peer;
    }

    /** Reads one (possibly multi-line) reply; {@code lines} collects its lines' texts when not null. */
    Reply read(java.util.List<String> lines) throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the server closed the connection");
            }
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
                throw new IOException("not an SMTP reply: " + line);
            }
            if (lines != null) {
                lines.add(line.length() > 4 ? line.substring(4) : "");
            }
            if (line.length() == 3 || line.charAt(3) != '-') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), line.length() > 4 ? line.substring(4) : "");
            }
        }
    }

    /** Sends {@code command} and reads its reply. */
    Reply send(String command, java.util.List<String> lines) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read(lines);
    }

    /** EHLO, then STARTTLS and EHLO again; the EHLO keywords after TLS. */
    java.util.List<String> startTls() throws IOException {
        send("EHLO doctor.invalid", null);
        Reply r = send("STARTTLS", null);
        if (r.code() != 220) {
            throw new IOException("STARTTLS refused: " + r.code() + " " + r.text());
        }
        handshake();
        java.util.List<String> ehlo = new java.util.ArrayList<>();
        send("EHLO doctor.invalid", ehlo);
        return ehlo;
    }

    @Override
    public void close() {
        try {
            out.write("QUIT\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
