// Probe for docs/design/outbound.md §1: SubEthaSMTP 7.2.2 STARTTLS, AUTH only after TLS,
// the authenticated identity in the MessageHandler, certificate reload without restart,
// implicit TLS (465). Run: java -cp <subethasmtp, slf4j-api, guava-mini, jakarta.mail-api> TlsAuthProbe.java
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.security.cert.X509Certificate;
import java.util.*;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.*;
import org.subethamail.smtp.*;
import org.subethamail.smtp.auth.*;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.server.*;

public class TlsAuthProbe {
    /** A key manager whose key can be swapped; the SSLContext is built once. */
    static final class ReloadingKeyManager extends X509ExtendedKeyManager {
        final AtomicReference<X509ExtendedKeyManager> cur = new AtomicReference<>();
        X509ExtendedKeyManager d() { return cur.get(); }
        public String[] getClientAliases(String t, Principal[] i) { return d().getClientAliases(t, i); }
        public String chooseClientAlias(String[] t, Principal[] i, Socket s) { return d().chooseClientAlias(t, i, s); }
        public String[] getServerAliases(String t, Principal[] i) { return d().getServerAliases(t, i); }
        public String chooseServerAlias(String t, Principal[] i, Socket s) { return d().chooseServerAlias(t, i, s); }
        public String chooseEngineServerAlias(String t, Principal[] i, SSLEngine e) { return d().chooseEngineServerAlias(t, i, e); }
        public X509Certificate[] getCertificateChain(String a) { return d().getCertificateChain(a); }
        public PrivateKey getPrivateKey(String a) { return d().getPrivateKey(a); }
    }

    static X509ExtendedKeyManager keytool(String cn) throws Exception {
        Path ks = Files.createTempFile("probe", ".p12"); Files.delete(ks);
        Process p = new ProcessBuilder("keytool", "-genkeypair", "-alias", "mailroot", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + cn, "-ext", "SAN=dns:" + cn, "-validity", "3650", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", "changeit").inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("keytool failed");
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) { k.load(in, "changeit".toCharArray()); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(k, "changeit".toCharArray());
        return (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
    }

    static final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] a) throws Exception {
        ReloadingKeyManager km = new ReloadingKeyManager();
        km.cur.set(keytool("first.test"));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {km}, null, null);

        UsernamePasswordValidator v = (user, pass, c) -> {
            seen.add("validator: user=" + user + " remote=" + c.getRemoteAddress());
            if (!"secret".equals(pass)) throw new LoginFailedException();
        };
        MessageHandlerFactory mhf = c -> new MessageHandler() {
            public void from(String f) { seen.add("from " + f + " identity=" + c.getAuthenticationHandler().map(AuthenticationHandler::getIdentity)); }
            public void recipient(String r) {}
            public String data(InputStream in) throws IOException { in.readAllBytes(); return null; }
            public void done() {}
        };
        SMTPServer.Builder b = SMTPServer.port(0).hostName("mx.test").enableTLS()
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(v))
                .messageHandlerFactory(mhf).startTlsSocketFactory(ctx);
        SMTPServer s25 = b.build();
        // AUTH only after TLS: wrap the registered AUTH command.
        CommandHandler ch = s25.getCommandHandler();
        Command auth = ch.getCommand("AUTH");
        ch.addCommand(new Command() {
            public void execute(String line, Session s) throws IOException, DropConnectionException {
                if (!s.isTLSStarted()) { s.sendResponse("538 5.7.11 Encryption required for requested authentication mechanism"); return; }
                auth.execute(line, s);
            }
            public org.subethamail.smtp.internal.server.HelpMessage getHelp() throws org.subethamail.smtp.internal.server.CommandException { return auth.getHelp(); }
            public String getName() { return "AUTH"; }
        });
        s25.start();
        int port = s25.getPortAllocated();

        SSLSocketFactory trustAll = trustAll();
        String plain = Base64.getEncoder().encodeToString("\0alice@x.test\0secret".getBytes(StandardCharsets.UTF_8));

        System.out.println("== port 25 style, STARTTLS then AUTH");
        try (Socket raw = new Socket("127.0.0.1", port)) {
            Conv c = new Conv(raw);
            c.read(); c.cmd("EHLO client.test"); c.cmd("AUTH PLAIN " + plain); c.cmd("STARTTLS");
            SSLSocket t = (SSLSocket) trustAll.createSocket(raw, "127.0.0.1", port, true); t.startHandshake();
            System.out.println("   peer cert: " + ((X509Certificate) t.getSession().getPeerCertificates()[0]).getSubjectX500Principal() + " " + t.getSession().getProtocol());
            c = new Conv(t);
            c.cmd("EHLO client.test"); c.cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice@x.test\0wrong".getBytes()));
            c.cmd("AUTH PLAIN " + plain); c.cmd("MAIL FROM:<alice@x.test>"); c.cmd("QUIT");
        }
        System.out.println("== swap the key (no restart), new connection");
        km.cur.set(keytool("second.test"));
        try (Socket raw = new Socket("127.0.0.1", port)) {
            Conv c = new Conv(raw); c.read(); c.cmd("EHLO client.test"); c.cmd("STARTTLS");
            // a fresh client context: the first one would resume its TLS 1.3 session and show the old certificate
            SSLSocket t = (SSLSocket) trustAll().createSocket(raw, "127.0.0.1", port, true); t.startHandshake();
            System.out.println("   peer cert (fresh client context): " + ((X509Certificate) t.getSession().getPeerCertificates()[0]).getSubjectX500Principal());
            new Conv(t).cmd("QUIT");
        }
        try (Socket raw = new Socket("127.0.0.1", port)) {
            Conv c = new Conv(raw); c.read(); c.cmd("EHLO client.test"); c.cmd("STARTTLS");
            SSLSocket t = (SSLSocket) trustAll.createSocket(raw, "127.0.0.1", port, true); t.startHandshake();
            System.out.println("   peer cert (first client context, resumed session): " + ((X509Certificate) t.getSession().getPeerCertificates()[0]).getSubjectX500Principal());
            new Conv(t).cmd("QUIT");
        }
        System.out.println("== implicit TLS (465 style): serverSocketFactory(SSLContext), same reloading key manager");
        SMTPServer s465 = SMTPServer.port(0).hostName("mx.test").enableTLS().serverSocketFactory(ctx)
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(v)).messageHandlerFactory(mhf).build();
        s465.start();
        try (SSLSocket t = (SSLSocket) trustAll.createSocket("127.0.0.1", s465.getPortAllocated())) {
            t.startHandshake();
            System.out.println("   peer cert: " + ((X509Certificate) t.getSession().getPeerCertificates()[0]).getSubjectX500Principal());
            Conv c = new Conv(t); c.read(); c.cmd("EHLO client.test"); c.cmd("STARTTLS"); c.cmd("AUTH PLAIN " + plain); c.cmd("MAIL FROM:<bob@x.test>"); c.cmd("QUIT");
        }
        s25.stop(); s465.stop();
        seen.forEach(x -> System.out.println("   server saw: " + x));
    }

    static SSLSocketFactory trustAll() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] x, String y) {}
            public void checkServerTrusted(X509Certificate[] x, String y) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return c.getSocketFactory();
    }

    static final class Conv {
        final BufferedReader r; final Writer w;
        Conv(Socket s) throws IOException { r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)); w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII); }
        void read() throws IOException { String l; do { l = r.readLine(); System.out.println("   S: " + l); } while (l != null && l.length() > 3 && l.charAt(3) == '-'); }
        void cmd(String c) throws IOException { System.out.println("   C: " + c); w.write(c + "\r\n"); w.flush(); read(); }
    }
}
