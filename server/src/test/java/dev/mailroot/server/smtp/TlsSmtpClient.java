package dev.mailroot.server.smtp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An SMTP client for the TLS and AUTH tests: plain, upgraded with STARTTLS, or TLS from the start,
 * trusting any certificate (only here, in tests) and showing the one the server presented. Each
 * client uses a fresh SSLContext, so no TLS session is resumed from another test's connection.
 */
final class TlsSmtpClient implements Closeable {
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private final String greeting;

    private TlsSmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(15_000);
        streams();
        greeting = reply();
    }

    /** A plain connection (STARTTLS may follow). */
    static TlsSmtpClient plain(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new TlsSmtpClient(s);
    }

    /** A connection encrypted from the first byte (a {@code tls: implicit} listener). */
    static TlsSmtpClient implicit(int port) throws IOException {
        SSLSocket s = (SSLSocket) trustAll().createSocket("127.0.0.1", port);
        s.startHandshake();
        return new TlsSmtpClient(s);
    }

    String greeting() {
        return greeting;
    }

    /** Sends STARTTLS and, on {@code 220}, performs the handshake; returns the reply. */
    String startTls() throws IOException {
        String r = send("STARTTLS");
        if (r.startsWith("220")) {
            SSLSocket s = (SSLSocket) trustAll().createSocket(socket, "127.0.0.1", socket.getPort(), true);
            s.startHandshake();
            socket = s;
            streams();
        }
        return r;
    }

    /** The subject of the certificate the server presented. */
    String peerSubject() throws IOException {
        return ((X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    String protocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    /** {@code AUTH PLAIN} with the credentials as the initial response. */
    String authPlain(String user, String password) throws IOException {
        return send("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)));
    }

    String send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return reply();
    }

    /** Sends raw text without reading a reply. */
    void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** MAIL, RCPT each, DATA and the content (ending in CRLF); the final reply or the first refusal. */
    String sendMail(String from, List<String> rcpts, String content) throws IOException {
        String r = send("MAIL FROM:<" + from + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        for (String rcpt : rcpts) {
            r = send("RCPT TO:<" + rcpt + ">");
            if (!r.startsWith("250")) {
                return r;
            }
        }
        r = send("DATA");
        if (!r.startsWith("354")) {
            return r;
        }
        out.write(content.getBytes(StandardCharsets.ISO_8859_1));
        return send(".");
    }

    private String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by server after " + lines);
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return String.join("\n", lines);
    }

    private void streams() throws IOException {
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        out = socket.getOutputStream();
    }

    private static SSLSocketFactory trustAll() throws IOException {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return c.getSocketFactory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
