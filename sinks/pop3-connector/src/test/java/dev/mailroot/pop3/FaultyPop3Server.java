package dev.mailroot.pop3;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A small real POP3 server (RFC 1939 over a loopback socket) for the one case GreenMail cannot
 * play: it answers {@code -ERR} to RETR of the messages whose UIDL it was told to refuse, the way a
 * server with a damaged message in its store does (KB 885685). USER, PASS, CAPA, STAT, LIST, UIDL,
 * RETR, TOP (refused), DELE, NOOP, RSET and QUIT; deletions take effect at QUIT. One session at a time.
 */
final class FaultyPop3Server implements AutoCloseable {

    private record Mail(String uid, byte[] bytes) {
    }

    private final String user;
    private final String password;
    private final Set<String> refused;
    private final List<Mail> mailbox = new ArrayList<>();
    private final String banner;
    private final ServerSocket server;
    private final Thread acceptor;

    FaultyPop3Server(String user, String password, Set<String> refusedUids) throws IOException {
        this(user, password, refusedUids, "+OK faulty POP3 server ready");
    }

    /** A server whose greeting is {@code banner} (a hostile server's, with control characters, for instance). */
    FaultyPop3Server(String user, String password, Set<String> refusedUids, String banner) throws IOException {
        this.banner = banner;
        this.user = user;
        this.password = password;
        this.refused = Set.copyOf(refusedUids);
        this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::serve, "faulty-pop3");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    synchronized void deliver(String uid, String message) {
        mailbox.add(new Mail(uid, message.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** The UIDLs of the messages in the mailbox now. */
    synchronized List<String> uids() {
        return mailbox.stream().map(Mail::uid).toList();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(30_000);
                session(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)),
                        s.getOutputStream());
            } catch (IOException e) {
                // the client went away, or the server is closing: wait for the next session
            }
        }
    }

    private void session(BufferedReader in, OutputStream out) throws IOException {
        reply(out, banner);
        List<Mail> drop = null;
        Set<Integer> deleted = new HashSet<>();
        boolean userGiven = false;
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.split(" ");
            String cmd = w[0].toUpperCase(Locale.ROOT);
            if (drop == null) {
                switch (cmd) {
                    case "CAPA" -> reply(out, "+OK\r\nUSER\r\nUIDL\r\n.");
                    case "USER" -> {
                        userGiven = w.length > 1 && w[1].equals(user);
                        reply(out, "+OK");
                    }
                    case "PASS" -> {
                        if (userGiven && line.substring(5).equals(password)) {
                            synchronized (this) {
                                drop = List.copyOf(mailbox);
                            }
                            reply(out, "+OK maildrop locked");
                        } else {
                            reply(out, "-ERR invalid user or password");
                        }
                    }
                    case "QUIT" -> {
                        reply(out, "+OK bye");
                        return;
                    }
                    default -> reply(out, "-ERR log in first");
                }
                continue;
            }
            int n = w.length > 1 ? Integer.parseInt(w[1]) : 0;
            boolean exists = n >= 1 && n <= drop.size() && !deleted.contains(n);
            switch (cmd) {
                case "STAT" -> {
                    int count = 0;
                    long size = 0;
                    for (int i = 1; i <= drop.size(); i++) {
                        if (!deleted.contains(i)) {
                            count++;
                            size += drop.get(i - 1).bytes().length;
                        }
                    }
                    reply(out, "+OK " + count + " " + size);
                }
                case "LIST", "UIDL" -> {
                    boolean uidl = cmd.equals("UIDL");
                    if (w.length > 1) {
                        reply(out, exists ? "+OK " + n + " " + (uidl ? drop.get(n - 1).uid() : drop.get(n - 1).bytes().length)
                                : "-ERR no such message");
                    } else {
                        StringBuilder b = new StringBuilder("+OK\r\n");
                        for (int i = 1; i <= drop.size(); i++) {
                            if (!deleted.contains(i)) {
                                b.append(i).append(' ').append(uidl ? drop.get(i - 1).uid() : drop.get(i - 1).bytes().length).append("\r\n");
                            }
                        }
                        reply(out, b.append('.').toString());
                    }
                }
                case "RETR" -> {
                    if (!exists) {
                        reply(out, "-ERR no such message");
                    } else if (refused.contains(drop.get(n - 1).uid())) {
                        reply(out, "-ERR message " + n + " cannot be read from the store");
                    } else {
                        retr(out, drop.get(n - 1));
                    }
                }
                case "DELE" -> {
                    if (exists) {
                        deleted.add(n);
                    }
                    reply(out, exists ? "+OK" : "-ERR no such message");
                }
                case "RSET" -> {
                    deleted.clear();
                    reply(out, "+OK");
                }
                case "NOOP" -> reply(out, "+OK");
                case "QUIT" -> {
                    synchronized (this) {
                        for (int i : deleted) {
                            mailbox.remove(drop.get(i - 1));
                        }
                    }
                    reply(out, "+OK bye");
                    return;
                }
                default -> reply(out, "-ERR not supported here");
            }
        }
    }

    private static void retr(OutputStream out, Mail m) throws IOException {
        StringBuilder b = new StringBuilder("+OK " + m.bytes().length + " octets\r\n");
        for (String l : new String(m.bytes(), StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
            b.append(l.startsWith(".") ? "." : "").append(l).append("\r\n");
        }
        // the message ends with CRLF, so the split left an empty last part: drop its CRLF
        b.setLength(b.length() - 2);
        reply(out, b.append('.').toString());
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
