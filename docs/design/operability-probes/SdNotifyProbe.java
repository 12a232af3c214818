import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Probe (not part of the build): can a JDK 17 program send sd_notify's "READY=1" to
 * $NOTIFY_SOCKET (a Unix *datagram* socket) without native code?
 * Run it under sd-notify-probe.sh, which plays systemd's part with a Python datagram listener.
 */
public class SdNotifyProbe {
    public static void main(String[] args) throws Exception {
        String socket = System.getenv("NOTIFY_SOCKET");
        System.out.println("java " + System.getProperty("java.version") + ", NOTIFY_SOCKET=" + socket);
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.UNIX)) {
            ch.send(ByteBuffer.wrap("READY=1".getBytes(StandardCharsets.US_ASCII)), UnixDomainSocketAddress.of(socket));
            System.out.println("1. DatagramChannel.open(UNIX): sent");
        } catch (UnsupportedOperationException | IOException e) {
            System.out.println("1. DatagramChannel.open(UNIX): " + e);
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(socket)))) {
            ch.write(ByteBuffer.wrap("READY=1".getBytes(StandardCharsets.US_ASCII)));
            System.out.println("2. SocketChannel (stream) to the datagram socket: sent");
        } catch (IOException e) {
            System.out.println("2. SocketChannel (stream) to the datagram socket: " + e);
        }
        // 3. the helper systemd ships; the message then comes from the helper's pid (needs NotifyAccess=all)
        long t = System.nanoTime();
        Process p = new ProcessBuilder("systemd-notify", "--ready", "--status=mailroot: ready: SMTP 127.0.0.1:25")
                .inheritIO().start();
        System.out.printf("3. systemd-notify --ready --status=...: exit %d in %.0f ms%n", p.waitFor(), (System.nanoTime() - t) / 1e6);
    }
}
