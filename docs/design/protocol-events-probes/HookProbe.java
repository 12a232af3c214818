// Probe for docs/design/protocol-events.md §1 (issue 13): not part of the build.
import org.subethamail.smtp.*;
import org.subethamail.smtp.internal.server.*;
import org.subethamail.smtp.internal.util.SMTPResponseHelper;
import org.subethamail.smtp.server.*;
import java.io.*;
import java.net.*;
import java.util.*;

public class HookProbe {
    /** Wraps any command: sees the whole line before SubEthaSMTP does. */
    record Wrap(Command inner, String verb) implements Command {
        public void execute(String line, Session s) throws IOException, DropConnectionException {
            String arg = line.length() > 4 ? line.substring(4).trim() : "";
            if (verb.equals("EHLO") || verb.equals("HELO")) {
                if (arg.equalsIgnoreCase("bad.example")) { s.sendResponse("550 5.7.1 HELO name refused"); return; }
                if (arg.equalsIgnoreCase("drop.example")) throw new DropConnectionException(421, "4.7.0 go away");
                if (arg.equalsIgnoreCase("multi.example")) {
                    s.sendResponse(SMTPResponseHelper.buildResponse("550", "5.7.1 first line\n5.7.1 second line")); return; }
            }
            if (verb.equals("MAIL")) System.out.println("   [wrapper saw '" + line + "']");
            inner.execute(line, s);
        }
        public HelpMessage getHelp() throws CommandException { return inner.getHelp(); }
        public String getName() { return inner.getName(); }
    }
    public static void main(String[] a) throws Exception {
        SMTPServer server = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName("mx.test")
            .softwareName("Probe")
            .sessionHandler(new SessionHandler() {
                public SessionAcceptance accept(Session s) {
                    // a client from the 'blocked' port range: prove a custom code at connect
                    return s.getRemoteAddress().getPort() % 1 == 0 && Boolean.getBoolean("blockAll")
                        ? SessionAcceptance.failure(554, "5.7.1 connection refused: listed") : SessionAcceptance.success();
                }
                public void onSessionEnd(Session s) {}
            })
            .messageHandlerFactory(ctx -> new MessageHandler() {
                public void from(String f) throws RejectException {
                    System.out.println("   [from() got '" + f + "']");
                    if (f.startsWith("spam@")) throw new RejectException(550, "5.7.1 sender refused");
                }
                public void recipient(String r) throws RejectException {
                    if (r.startsWith("no@")) throw new RejectException(550, "5.1.1 <" + r + ">: refused");
                    if (r.startsWith("bye@")) throw new DropConnectionException(421, "4.7.0 closing");
                    if (r.startsWith("ml@")) throw new RejectException(550, "5.7.1 line one\r\n550 5.7.1 line two");
                }
                public String data(InputStream in) throws IOException, RejectException {
                    String body = new String(in.readAllBytes());
                    if (body.contains("GTUBE")) throw new RejectException(554, "5.7.1 spam");
                    return null;
                }
                public void done() {}
            }).build();
        CommandHandler ch = server.getCommandHandler();
        for (String v : List.of("EHLO", "HELO", "MAIL")) ch.addCommand(new Wrap(ch.getCommand(v), v));
        server.start();
        int port = server.getPortAllocated();
        String[][] dialogs = {
            {"EHLO bad.example", "EHLO multi.example", "EHLO ok.example", "MAIL FROM:<a@x.test> SIZE=100 BODY=8BITMIME SMTPUTF8",
             "RCPT TO:<one@x.test>", "RCPT TO:<no@x.test>", "RCPT TO:<ml@x.test>", "NOOP", "RCPT TO:<three@x.test>", "DATA", "Subject: t\r\n\r\nGTUBE\r\n.", "MAIL FROM:<b@x.test>", "QUIT"},
            {"HELO drop.example", "NOOP"},
            {"EHLO ok", "MAIL FROM:<a@x.test>", "RCPT TO:<bye@x.test>", "NOOP"},
            {"ehlo ok", "STARTTLS", "XFOO bar", "MAI", "QUIT"},
            // clean: a rejected DATA leaves the transaction open
            {"EHLO ok", "MAIL FROM:<a@x.test>", "RCPT TO:<one@x.test>", "DATA", "Subject: t\r\n\r\nGTUBE\r\n.", "MAIL FROM:<b@x.test>", "QUIT"},
            // a rejected EHLO does not stop MAIL
            {"EHLO bad.example", "MAIL FROM:<a@x.test>", "RCPT TO:<one@x.test>", "QUIT"},
        };
        for (String[] d : dialogs) talk(port, d);
        System.setProperty("blockAll", "true");
        talk(port, new String[]{"EHLO x"});
        server.stop();
    }
    static void talk(int port, String[] cmds) throws Exception {
        System.out.println("=== session");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream()));
            Writer out = new OutputStreamWriter(s.getOutputStream());
            readReply(in);
            for (String c : cmds) {
                System.out.println("C: " + c.replace("\r\n", "\\r\\n"));
                out.write(c + "\r\n"); out.flush();
                if (!readReply(in)) break;
            }
        }
    }
    static boolean readReply(BufferedReader in) throws IOException {
        while (true) {
            String l;
            try { l = in.readLine(); } catch (SocketTimeoutException e) { System.out.println("   (no reply in 2 s)"); return true; }
            if (l == null) { System.out.println("S: <connection closed>"); return false; }
            System.out.println("S: " + l);
            if (l.length() < 4 || l.charAt(3) != '-') return true;
        }
    }
}
