package dev.mailroot.bindings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin client never hands the token to a listener that cannot prove it holds it: a process
 * that took the port a dead server left in {@code mailroot/admin.port} gets no token. (That the
 * real server's proof is accepted, every test that drives a running server through the client
 * shows: {@code bin/mailroot retrieve}, {@code registry enum}.)
 */
class AdminClientTest {

    @TempDir
    Path home;

    /** A listener on loopback that answers every request 200 with a body, and keeps what it was sent. */
    private static final class Impostor implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final List<String> requests = new CopyOnWriteArrayList<>();
        final Thread thread = new Thread(this::serve);
        final String proofHeader;

        Impostor(String proofHeader) throws Exception {
            this.proofHeader = proofHeader;
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        head.write(b);
                    }
                    requests.add(head.toString(StandardCharsets.ISO_8859_1));
                    String body = "{\"status\":\"ok\"}\n";
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n"
                            + (proofHeader == null ? "" : "X-Mailroot-Proof: " + proofHeader + "\r\n")
                            + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private void home(int port, String token) throws Exception {
        Files.createDirectories(home.resolve("mailroot"));
        Files.writeString(AdminClient.portFile(home), port + "\n");
        Files.writeString(AdminClient.tokenFile(home), token + "\n");
    }

    @Test
    void aListenerThatCannotProveItHoldsTheTokenNeverReceivesIt() throws Exception {
        try (Impostor impostor = new Impostor("forged")) {
            home(impostor.socket.getLocalPort(), "s3cret-token-value");
            AdminClient client = AdminClient.of(home);
            assertThatThrownBy(() -> client.post("/connectors/pop3-connector/retrieve", Map.of()))
                    .isInstanceOf(AdminClient.NotRunningException.class)
                    .hasMessageContaining("cannot prove it holds the token in").hasMessageContaining("the token was not sent");
            assertThatThrownBy(() -> client.get("/bindings")).isInstanceOf(AdminClient.NotRunningException.class);
            // /health is open: it may be asked, but never with the token
            assertThat(client.get("/health").ok()).isTrue();
            assertThat(impostor.requests).isNotEmpty().noneMatch(r -> r.contains("s3cret-token-value"));
        }
    }
}
