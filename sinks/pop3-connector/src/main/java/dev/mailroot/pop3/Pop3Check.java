package dev.mailroot.pop3;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

/**
 * KB 885685's telnet test, done for one account: connect, read the banner, USER, PASS, STAT, QUIT,
 * printing each reply and ending with a one-line verdict. The password is never printed.
 */
final class Pop3Check {

    /** The report and whether the account passed. */
    record Result(boolean ok, String report) {
    }

    private Pop3Check() {
    }

    static Result run(Account a) {
        StringBuilder out = new StringBuilder("account " + a.name() + ": " + a.user() + " at " + a.where() + "\n");
        try (Socket socket = connect(a)) {
            out.append("  connect:  ok\n");
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream os = socket.getOutputStream();
            String banner = in.readLine();
            out.append("  banner:   ").append(banner).append('\n');
            if (banner == null || !banner.startsWith("+OK")) {
                return verdict(out, false, "the server did not greet with +OK");
            }
            Socket session = socket;
            if (a.security() == Account.Security.STARTTLS) {
                String stls = send(os, in, "STLS");
                out.append("  STLS:     ").append(stls).append('\n');
                if (!stls.startsWith("+OK")) {
                    return verdict(out, false, "the server refused STARTTLS (STLS)");
                }
                session = tls(a).createSocket(socket, a.host(), a.port(), true);
                ((SSLSocket) session).startHandshake();
                in = new BufferedReader(new InputStreamReader(session.getInputStream(), StandardCharsets.ISO_8859_1));
                os = session.getOutputStream();
            }
            String user = send(os, in, "USER " + a.user());
            out.append("  USER:     ").append(user).append('\n');
            String pass = send(os, in, "PASS " + a.password());
            out.append("  PASS:     ").append(pass).append('\n');
            if (!pass.startsWith("+OK")) {
                out.append("  QUIT:     ").append(quietQuit(os, in)).append('\n');
                return verdict(out, false, "login refused: " + pass + " (check user and password)");
            }
            String stat = send(os, in, "STAT");
            out.append("  STAT:     ").append(stat).append('\n');
            String quit = send(os, in, "QUIT");
            out.append("  QUIT:     ").append(quit).append('\n');
            String[] parts = stat.split("\\s+");
            if (!stat.startsWith("+OK") || parts.length < 3) {
                return verdict(out, false, "STAT failed: " + stat);
            }
            long count = Long.parseLong(parts[1]);
            long size = Long.parseLong(parts[2]);
            return verdict(out, true, count == 0 ? "the mailbox is empty (if mail was expected: is another client taking it?)"
                    : count + " message(s), " + size + " bytes waiting");
        } catch (IOException | GeneralSecurityException | NumberFormatException e) {
            out.append("  connect:  ").append(e).append('\n');
            return verdict(out, false, "cannot talk to " + a.where() + ": " + e.getMessage());
        }
    }

    private static Result verdict(StringBuilder out, boolean ok, String why) {
        out.append("  verdict:  ").append(ok ? "OK: " : "FAILED: ").append(why).append('\n');
        return new Result(ok, out.toString());
    }

    private static Socket connect(Account a) throws IOException, GeneralSecurityException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(a.host(), a.port()), a.connectTimeoutSeconds() * 1000);
        plain.setSoTimeout(a.readTimeoutSeconds() * 1000);
        if (a.security() != Account.Security.SSL) {
            return plain;
        }
        SSLSocket s = (SSLSocket) tls(a).createSocket(plain, a.host(), a.port(), true);
        s.startHandshake();
        return s;
    }

    private static SSLSocketFactory tls(Account a) throws GeneralSecurityException {
        if (!"*".equals(a.sslTrust()) && !a.host().equals(a.sslTrust())) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        // the account trusts this host's certificate without a CA (sslTrust), as the retrieval does
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String t) {
            }

            public void checkServerTrusted(X509Certificate[] c, String t) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return ctx.getSocketFactory();
    }

    /** QUIT after a refused login; some servers hang up after {@code -ERR}, which is not the problem to report. */
    private static String quietQuit(OutputStream os, BufferedReader in) {
        try {
            return send(os, in, "QUIT");
        } catch (IOException e) {
            return "(no reply: " + e.getMessage() + ")";
        }
    }

    private static String send(OutputStream os, BufferedReader in, String command) throws IOException {
        os.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        os.flush();
        String reply = in.readLine();
        if (reply == null) {
            throw new IOException("the server closed the connection after " + command.split(" ")[0]);
        }
        return reply;
    }
}
