package dev.mailroot.server.smtp;

import dev.mailroot.server.SmtpClient;
import dev.mailroot.server.TestServer;
import dev.mailroot.server.dispatch.SinkChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** 200 connections sending one byte a second do not keep a normal client from being served. */
class SlowClientTest {

    @TempDir
    Path home;

    @Test
    void twoHundredSlowClientsDoNotStopANormalClient() throws Exception {
        Set<String> slowReplies = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> slow = new ArrayList<>();
        try (TestServer server = TestServer.start(home, "smtp: {maxConnections: 50, idleTimeoutSeconds: 2}\n", SinkChain.EMPTY)) {
            for (int i = 0; i < 200; i++) {
                Thread t = new Thread(() -> trickle(server.port(), stop, slowReplies), "slow-" + i);
                t.setDaemon(true);
                slow.add(t);
                t.start();
            }
            Thread.sleep(1500); // the slow clients hold every slot now
            List<String> refusals = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try (SmtpClient c = new SmtpClient(server.port())) {
                    if (!c.greeting().startsWith("220")) {
                        refusals.add(c.greeting());
                        return false;
                    }
                    c.send("EHLO normal.example");
                    return c.sendMail("a@example.org", List.of("normal@localhost"), "Subject: served\r\n\r\nx\r\n")
                            .startsWith("250 2.0.0");
                } catch (IOException e) {
                    return false;
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> server.newMail("normal").size() == 1);
            assertThat(refusals).allMatch(r -> r.equals("421 4.3.2 Too many connections, try again later"));
            // the slow ones were turned away or cut off, never served forever
            assertThat(slowReplies).anyMatch(r -> r.startsWith("421 Timeout") || r.startsWith("421 4.3.2"));
        } finally {
            stop.set(true);
            for (Thread t : slow) {
                t.join(5000);
            }
        }
    }

    /** Connects and sends "EHLO slow" one byte a second, reconnecting a second after it is cut off or refused. */
    private static void trickle(int port, AtomicBoolean stop, Set<String> replies) {
        byte[] line = "EHLO slow.example\r\n".getBytes(StandardCharsets.US_ASCII);
        while (!stop.get()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(100);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                for (int i = 0; !stop.get(); i = (i + 1) % line.length) {
                    out.write(line[i]);
                    out.flush();
                    try {
                        String reply;
                        while ((reply = in.readLine()) != null) {
                            if (reply.startsWith("421")) {
                                replies.add(reply);
                            }
                        }
                        break; // closed by the server
                    } catch (java.net.SocketTimeoutException quiet) {
                        Thread.sleep(900);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // refused or cut off: come back
            }
            try {
                Thread.sleep(1000); // a slow client: one attempt a second, not a connect storm
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
