// Probe for docs/design/outbound.md §2.1: what Angus Mail 2.0.5's SMTPTransport reports per recipient.
// The peer is a SubEthaSMTP 7.2.2 server with STARTTLS that answers per recipient: ok* -> 250,
// temp* -> 451 4.2.0, bad* -> 550 5.1.1; a message with "FAILDATA" in it -> 451 at end of data.
// Run: java -cp <subethasmtp, slf4j-api, guava-mini, jakarta.mail-api, angus-mail, jakarta.activation-api, angus-activation> AngusClientProbe.java
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.KeyStore;
import java.util.*;
import javax.net.ssl.*;
import jakarta.mail.*;
import jakarta.mail.internet.*;
import org.eclipse.angus.mail.smtp.*;
import org.subethamail.smtp.*;
import org.subethamail.smtp.internal.server.*;
import org.subethamail.smtp.server.*;

public class AngusClientProbe {
    public static void main(String[] a) throws Exception {
        SMTPServer peer = SMTPServer.port(0).hostName("mx1.example.test").enableTLS().startTlsSocketFactory(serverCtx())
                .messageHandlerFactory(c -> new MessageHandler() {
                    public void from(String f) {}
                    public void recipient(String r) throws RejectException {
                        if (r.startsWith("temp")) throw new RejectException(451, "4.2.0 <" + r + ">: try later");
                        if (r.startsWith("bad")) throw new RejectException(550, "5.1.1 <" + r + ">: no such user");
                    }
                    public String data(InputStream in) throws IOException, RejectException {
                        String m = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                        if (m.contains("FAILDATA")) throw new RejectException(451, "4.3.0 data refused");
                        return "queued as X1";
                    }
                    public void done() {}
                }).build();
        // log the lines the client sends for MAIL and RCPT and whether TLS was on
        CommandHandler ch = peer.getCommandHandler();
        for (String verb : List.of("MAIL", "RCPT")) {
            Command inner = ch.getCommand(verb);
            ch.addCommand(new Command() {
                public void execute(String line, org.subethamail.smtp.server.Session s) throws IOException, DropConnectionException {
                    System.out.println("   peer got: " + line + (s.isTLSStarted() ? "  [TLS]" : "  [plain]"));
                    inner.execute(line, s);
                }
                public HelpMessage getHelp() throws CommandException { return inner.getHelp(); }
                public String getName() { return verb; }
            });
        }
        peer.start();

        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(peer.getPortAllocated()));
        p.put("mail.smtp.localhost", "out.mailroot.test");
        p.put("mail.smtp.starttls.enable", "true");       // opportunistic: used when advertised
        p.put("mail.smtp.ssl.trust", "*");                // MX certificates are not verified (opportunistic)
        // Angus 2.x checks the server name even with ssl.trust=*; without this line the handshake
        // fails ("No subject alternative names present") and connect() throws: no plaintext fallback.
        p.put("mail.smtp.ssl.checkserveridentity", a.length > 0 ? a[0] : "false");
        p.put("mail.smtp.sendpartial", "true");           // send to the accepted ones even if some RCPT failed
        p.put("mail.smtp.reportsuccess", "true");         // also report accepted recipients, as exceptions
        p.put("mail.smtp.dsn.notify", "FAILURE,DELAY");
        p.put("mail.smtp.dsn.ret", "HDRS");
        p.put("mail.smtp.connectiontimeout", "5000");
        p.put("mail.smtp.timeout", "30000");
        if (a.length > 1) { // second mode: an external peer host:port (e.g. Postfix smtp-sink), one recipient
            p.put("mail.smtp.host", a[1].split(":")[0]); p.put("mail.smtp.port", a[1].split(":")[1]);
            send(jakarta.mail.Session.getInstance(p), new String[] {"ok1@example.test"}, "hello");
            peer.stop();
            return;
        }
        jakarta.mail.Session s = jakarta.mail.Session.getInstance(p);

        for (String[] rcpts : new String[][] {{"ok1@example.test", "temp1@example.test", "bad1@example.test", "ok2@example.test"},
                                              {"bad1@example.test", "temp1@example.test"}}) {
            send(s, rcpts, "hello");
        }
        send(s, new String[] {"ok1@example.test", "bad1@example.test"}, "FAILDATA");
        peer.stop();
    }

    static void send(jakarta.mail.Session s, String[] rcpts, String body) throws Exception {
        System.out.println("== send to " + Arrays.toString(rcpts) + " body=" + body);
        MimeMessage m = new MimeMessage(s);
        m.setFrom("alice@mailroot.test"); m.setSubject("probe"); m.setText(body);
        Address[] to = new Address[rcpts.length];
        for (int i = 0; i < rcpts.length; i++) to[i] = new InternetAddress(rcpts[i]);
        SMTPTransport t = (SMTPTransport) s.getTransport("smtp");
        t.connect();
        System.out.println("   ehlo: STARTTLS=" + t.supportsExtension("STARTTLS") + " DSN=" + t.supportsExtension("DSN")
                + " (extension parameters after TLS: " + t.getExtensionParameter("SIZE") + ")");
        try {
            t.setReportSuccess(true);
            m.saveChanges();
            t.sendMessage(m, to);
            System.out.println("   no exception; last reply: " + t.getLastServerResponse());
        } catch (MessagingException e) {
            System.out.println("   " + e.getClass().getSimpleName() + ": " + e.getMessage().trim()
                    + (e instanceof SMTPSendFailedException ? " rc=" + ((SMTPSendFailedException) e).getReturnCode() + " cmd=" + ((SMTPSendFailedException) e).getCommand() : ""));
            if (e instanceof SendFailedException) {
                SendFailedException sf = (SendFailedException) e;
                System.out.println("   valid sent=" + Arrays.toString(sf.getValidSentAddresses()) + " valid unsent=" + Arrays.toString(sf.getValidUnsentAddresses())
                        + " invalid=" + Arrays.toString(sf.getInvalidAddresses()));
            }
            for (Exception n = e.getNextException(); n != null; n = n instanceof MessagingException ? ((MessagingException) n).getNextException() : null) {
                String detail = n instanceof SMTPAddressFailedException ? " addr=" + ((SMTPAddressFailedException) n).getAddress() + " rc=" + ((SMTPAddressFailedException) n).getReturnCode()
                        : n instanceof SMTPAddressSucceededException ? " addr=" + ((SMTPAddressSucceededException) n).getAddress() + " rc=" + ((SMTPAddressSucceededException) n).getReturnCode()
                        : n instanceof SMTPSendFailedException ? " rc=" + ((SMTPSendFailedException) n).getReturnCode() : "";
                System.out.println("     next: " + n.getClass().getSimpleName() + detail + " msg=" + n.getMessage().trim());
            }
        } finally { t.close(); }
    }

    static SSLContext serverCtx() throws Exception {
        Path ks = Files.createTempFile("peer", ".p12"); Files.delete(ks);
        if (new ProcessBuilder("keytool", "-genkeypair", "-alias", "mx", "-keyalg", "EC", "-dname", "CN=mx1.example.test",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit").start().waitFor() != 0) throw new IllegalStateException();
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) { k.load(in, "changeit".toCharArray()); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX"); kmf.init(k, "changeit".toCharArray());
        SSLContext c = SSLContext.getInstance("TLS"); c.init(kmf.getKeyManagers(), null, null);
        return c;
    }
}
