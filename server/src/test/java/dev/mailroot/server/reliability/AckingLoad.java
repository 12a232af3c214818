package dev.mailroot.server.reliability;

import dev.mailroot.server.TestServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMTP load that remembers what the server acknowledged: sessions send messages until stopped and
 * record the id of each {@code 250 ... queued as <id>}. Used to check that every acknowledged
 * message is delivered after the server is killed.
 */
public final class AckingLoad implements AutoCloseable {
    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([0-9A-Z]{13})$");
    private static final Pattern RECEIVED_ID = Pattern.compile("\\(Mailroot\\) with ESMTP id ([0-9A-Z]{13})");

    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /** Starts {@code sessions} sessions against 127.0.0.1:{@code port}, each to {@code rcpt}. */
    public AckingLoad(int port, int sessions, String rcpt) {
        for (int i = 0; i < sessions; i++) {
            Thread t = new Thread(() -> loop(port, rcpt), "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop(int port, String rcpt) {
        String body = "x".repeat(76) + "\r\n";
        while (!stop) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                if (!reply(in).startsWith("220")) {
                    continue;
                }
                send(out, "EHLO load.test");
                reply(in);
                for (int m = 0; m < 5 && !stop; m++) {
                    send(out, "MAIL FROM:<load@example.org>");
                    if (!reply(in).startsWith("250")) {
                        break;
                    }
                    send(out, "RCPT TO:<" + rcpt + ">");
                    if (!reply(in).startsWith("250")) {
                        break;
                    }
                    send(out, "DATA");
                    if (!reply(in).startsWith("354")) {
                        break;
                    }
                    out.write(("Subject: crash test\r\n\r\n" + body.repeat(40) + ".\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Matcher q = QUEUED.matcher(reply(in));
                    if (q.matches()) {
                        acked.add(q.group(1));
                    }
                }
                send(out, "QUIT");
            } catch (IOException e) {
                try {
                    Thread.sleep(20); // the server is gone (killed) or busy: try again
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    /** The ids the server acknowledged with 250. */
    public Set<String> acked() {
        return Set.copyOf(acked);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(15_000);
        }
    }

    /** How often each message id occurs in the messages delivered under {@code mailboxes}. */
    public static Map<String, Integer> deliveredIds(Path mailboxes) throws IOException {
        Map<String, Integer> ids = new HashMap<>();
        for (Path p : TestServer.delivered(mailboxes)) {
            Matcher m = RECEIVED_ID.matcher(Files.readString(p, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                ids.merge(m.group(1), 1, Integer::sum);
            }
        }
        return ids;
    }
}
