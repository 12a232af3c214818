package dev.mailroot.server;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain SMTP client over a real socket, for tests that assert exact replies. Each command
 * returns the server's complete reply (all lines of a multi-line reply, joined by newlines).
 */
public final class SmtpClient implements Closeable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    private final String greeting;

    public SmtpClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(15_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        out = socket.getOutputStream();
        greeting = reply();
    }

    public String greeting() {
        return greeting;
    }

    /** Sends one command line and returns the reply. */
    public String send(String line) throws IOException {
        write(line + "\r\n");
        return reply();
    }

    /** Sends raw bytes without reading a reply. */
    public void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Reads one (possibly multi-line) reply. */
    public String reply() throws IOException {
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

    /**
     * A whole transaction: EHLO is assumed done. Sends MAIL, each RCPT, DATA and the content
     * (which must end with CRLF) and returns the final reply (or the first refusal).
     */
    public String sendMail(String from, List<String> rcpts, String content) throws IOException {
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
        write(content.replace("\r\n.", "\r\n.."));
        return send(".");
    }

    /** True once the server has closed the connection. */
    public boolean closedByServer() {
        try {
            return in.readLine() == null;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
