package dev.mailroot.server.outbound;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A SubEthaSMTP peer on a free loopback port that answers by the recipient's local part:
 * {@code ok*} 250, {@code temp*} {@code 451 4.2.0}, {@code bad*} {@code 550 5.1.1}, {@code flaky*}
 * {@code 451 4.2.0} twice then 250 (greylisting); a message
 * containing {@code FAILDATA} gets {@code 451 4.3.0} after its final dot. It records each command
 * line it got for MAIL and RCPT (with {@code [TLS]} or {@code [plain]}), and each message accepted.
 */
final class ScriptedPeer implements AutoCloseable {
    /** One message the peer accepted. */
    record Received(String from, List<String> recipients, byte[] data, String authUser) {
    }

    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    /** How often each {@code flaky*} recipient was tried: the first two get {@code 451 4.2.0}, then it is accepted. */
    final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> tries = new java.util.concurrent.ConcurrentHashMap<>();
    private final SMTPServer server;

    private ScriptedPeer(SMTPServer.Builder builder) {
        builder.hostName("mx1.example.test").insertReceivedHeaders(false).messageHandlerFactory(ctx -> new MessageHandler() {
            private String from;
            private final List<String> rcpts = new ArrayList<>();

            @Override
            public void from(String f) {
                from = f;
            }

            @Override
            public void recipient(String r) throws RejectException {
                if (r.startsWith("temp")) {
                    throw new RejectException(451, "4.2.0 <" + r + ">: mailbox busy, try later");
                }
                if (r.startsWith("flaky") && tries.computeIfAbsent(r, k -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet() <= 2) {
                    throw new RejectException(451, "4.2.0 <" + r + ">: greylisted, try again later");
                }
                if (r.startsWith("bad")) {
                    throw new RejectException(550, "5.1.1 <" + r + ">: no such user");
                }
                rcpts.add(r);
            }

            @Override
            public String data(InputStream in) throws IOException, RejectException {
                byte[] data = in.readAllBytes();
                if (new String(data, java.nio.charset.StandardCharsets.ISO_8859_1).contains("FAILDATA")) {
                    throw new RejectException(451, "4.3.0 cannot store the message now");
                }
                String user = ctx.getAuthenticationHandler().map(h -> String.valueOf(h.getIdentity())).orElse(null);
                received.add(new Received(from, List.copyOf(rcpts), data, user));
                return "2.0.0 queued as X1";
            }

            @Override
            public void done() {
            }
        });
        server = builder.build();
        CommandHandler ch = server.getCommandHandler();
        for (String verb : List.of("MAIL", "RCPT")) {
            Command inner = ch.getCommand(verb);
            ch.addCommand(new Command() {
                @Override
                public void execute(String line, Session s) throws IOException, DropConnectionException {
                    commands.add(line + (s.isTLSStarted() ? " [TLS]" : " [plain]"));
                    inner.execute(line, s);
                }

                @Override
                public HelpMessage getHelp() throws CommandException {
                    return inner.getHelp();
                }

                @Override
                public String getName() {
                    return verb;
                }
            });
        }
        server.start();
    }

    /** A plaintext peer (no STARTTLS offered). */
    static ScriptedPeer plain() {
        return plain(10_000_000);
    }

    /** A plaintext peer advertising {@code SIZE maxSize}. */
    static ScriptedPeer plain(int maxSize) {
        return new ScriptedPeer(SMTPServer.port(0).bindAddress(java.net.InetAddress.getLoopbackAddress()).maxMessageSize(maxSize));
    }

    /** A peer offering STARTTLS with {@code context} (its certificate). */
    static ScriptedPeer tls(SSLContext context) {
        return new ScriptedPeer(SMTPServer.port(0).bindAddress(java.net.InetAddress.getLoopbackAddress())
                .enableTLS().startTlsSocketFactory(context));
    }

    /** A peer offering STARTTLS and requiring AUTH (PLAIN, LOGIN) with {@code user}/{@code password}. */
    static ScriptedPeer auth(SSLContext context, String user, String password) {
        return new ScriptedPeer(SMTPServer.port(0).bindAddress(java.net.InetAddress.getLoopbackAddress())
                .enableTLS().startTlsSocketFactory(context).requireAuth()
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((u, p, ctx) -> {
                    if (!u.equals(user) || !p.equals(password)) {
                        throw new LoginFailedException();
                    }
                })));
    }

    int port() {
        return server.getPortAllocated();
    }

    @Override
    public void close() {
        server.stop();
    }
}
