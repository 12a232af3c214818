package dev.mailroot.filters;

import dev.mailroot.sink.protocol.EndOfData;
import dev.mailroot.sink.protocol.ProtocolSession;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SpamAssassin's spamd, spoken as {@code spamc} does: one TCP connection per message,
 * {@code CHECK SPAMC/1.5}, {@code Content-length}, the message; the answer's {@code Spam:} line
 * holds the verdict, the score and the threshold ({@code Spam: True ; 1000.8 / 5.0}). spamc's
 * protocol carries no envelope: SpamAssassin reads the relays from the {@code Received:} fields,
 * which is why the message is sent as received (with the server's own {@code Received:}).
 */
final class Spamd implements ScanEngine {
    private static final Pattern STATUS = Pattern.compile("SPAMD/\\d+(?:\\.\\d+)?\\s+(\\d+)\\s*(.*)");
    private static final Pattern SPAM = Pattern.compile("(?i)Spam:\\s*(True|False|Yes|No)\\s*;\\s*(-?[\\d.]+)\\s*/\\s*(-?[\\d.]+)\\s*");
    private static final int MAX_ANSWER = 64 * 1024;

    private final String host;
    private final int port;
    private final Duration timeout;

    Spamd(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    @Override
    public Scan scan(ProtocolSession session, EndOfData message, byte[] content) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String where = "spamd at " + host + ":" + port;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            OutputStream out = socket.getOutputStream();
            out.write(("CHECK SPAMC/1.5\r\nContent-length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            socket.shutdownOutput();
            return parse(readAnswer(socket, deadline), where);
        } catch (SocketTimeoutException e) {
            throw new IOException(where + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IOException(where + " cannot be reached: " + e, e);
        }
    }

    /** Reads until spamd closes the connection, each read within what is left of the time limit. */
    private String readAnswer(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (answer.size() < MAX_ANSWER) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            socket.setSoTimeout((int) left);
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            answer.write(buf, 0, n);
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    /** The result in spamd's answer; the protocol version is read loosely (it answers {@code SPAMD/1.1} to 1.5). */
    static Scan parse(String answer, String where) throws IOException {
        List<String> lines = answer.lines().toList();
        Matcher status = STATUS.matcher(lines.isEmpty() ? "" : lines.get(0).strip());
        if (!status.matches()) {
            throw new IOException(where + " answered something that is not spamd's protocol: "
                    + ReplyTemplate.printable(lines.isEmpty() ? "(nothing)" : lines.get(0)));
        }
        if (!status.group(1).equals("0")) {
            throw new IOException(where + " refused the check: " + ReplyTemplate.printable(lines.get(0)));
        }
        for (String line : lines) {
            Matcher m = SPAM.matcher(line.strip());
            if (m.matches()) {
                return new Scan("spamd", Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)), Optional.empty(),
                        List.of(), Optional.empty());
            }
            if (line.isBlank()) {
                break;
            }
        }
        throw new IOException(where + " answered without a Spam: line: " + ReplyTemplate.printable(String.join(" | ", lines)));
    }
}
