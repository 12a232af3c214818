package dev.mailroot.pop3;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One retrieval of one account: first the downloads a previous run left in {@code incoming/} are
 * transferred, then each new message is downloaded (temporary name, fsync, rename into
 * {@code incoming/}), transferred, recorded, and only then marked for deletion on the server
 * (deletions take effect at QUIT). A message whose transfer fails for now stays in incoming and
 * on the server; one that cannot be a message goes to failed/. Nothing is deleted on the server
 * before its hand-off is durable.
 */
final class Retrieval {

    /** What a run did, for the log and the retrieve command. */
    record Report(String account, int downloaded, int transferred, int failed, String error) {
        String line() {
            return "account " + account + ": downloaded " + downloaded + ", transferred " + transferred + ", failed "
                    + failed + (error == null ? "" : ", error: " + error);
        }
    }

    private final Account account;
    private final Path incoming;
    private final Path stateDir;
    private final Transfer transfer;
    private final Logger log;
    private int downloaded;
    private int transferred;
    private int failed;

    Retrieval(Account account, Path data, Transfer transfer, Logger log) {
        this.account = account;
        this.incoming = data.resolve("incoming");
        this.stateDir = data.resolve("state");
        this.transfer = transfer;
        this.log = log;
    }

    Report run() {
        String error = null;
        try {
            Files.createDirectories(incoming);
            UidState state = UidState.load(stateDir, account.name());
            transferLeftovers(state);
            download(state);
        } catch (AuthenticationFailedException e) {
            error = "login refused by " + account.where() + ": " + reply(e);
        } catch (MessagingException e) {
            error = "cannot retrieve from " + account.where() + ": " + reply(e);
        } catch (IOException e) {
            error = "local I/O error: " + e;
        }
        Report r = new Report(account.name(), downloaded, transferred, failed, error);
        if (error != null) {
            log.error("MR5006 {} (the messages stay on the server; the next run tries again)", r.line());
        } else {
            log.info("MR5002 {}", r.line());
        }
        return r;
    }

    /** Downloads a crash left in incoming/: transferred first, their UIDLs recorded. */
    private void transferLeftovers(UidState state) throws IOException {
        List<Path> left = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(incoming, "*.eml")) {
            for (Path p : ds) {
                if (DownloadName.parse(p.getFileName().toString()).filter(n -> n.account().equals(account.name())).isPresent()) {
                    left.add(p);
                }
            }
        }
        left.sort(null);
        for (Path p : left) {
            String uid = uidOf(p);
            if (handOff(p)) {
                if (uid != null) {
                    state.add(uid);
                }
            }
        }
    }

    private void download(UidState state) throws MessagingException, IOException {
        Session session = Session.getInstance(properties());
        Store store = session.getStore(account.security() == Account.Security.SSL ? "pop3s" : "pop3");
        store.connect(account.host(), account.port(), account.user(), account.password());
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            boolean expunge = !account.leaveOnServer();
            try {
                Message[] messages = inbox.getMessages();
                FetchProfile fp = new FetchProfile();
                fp.add(UIDFolder.FetchProfileItem.UID);
                inbox.fetch(messages, fp);
                List<String> uids = new ArrayList<>();
                for (Message m : messages) {
                    uids.add(uid(inbox, m));
                }
                if (account.leaveOnServer() && uids.contains(null)) {
                    throw new MessagingException("the server does not support UIDL, which leaveOnServer needs");
                }
                state.retainOnly(uids.stream().filter(u -> u != null).toList());
                for (int i = 0; i < messages.length; i++) {
                    Message m = messages[i];
                    String uid = uids.get(i);
                    if (uid != null && state.contains(uid)) {
                        if (!account.leaveOnServer()) {
                            m.setFlag(Flags.Flag.DELETED, true); // handed off before; its deletion was cut short
                        }
                        continue;
                    }
                    Path file = save(m, uid == null ? DownloadName.withoutUid(account.name(), m.getMessageNumber(),
                            System.nanoTime()) : DownloadName.of(account.name(), uid), uid);
                    downloaded++;
                    if (handOff(file)) {
                        if (uid != null) {
                            state.add(uid);
                        }
                        if (!account.leaveOnServer()) {
                            m.setFlag(Flags.Flag.DELETED, true);
                        }
                    }
                }
            } finally {
                inbox.close(expunge); // DELE for the flagged messages, then QUIT
            }
        } finally {
            store.close();
        }
    }

    /** Transfers a downloaded file; true once it is durable in pickup or failed/. */
    private boolean handOff(Path file) throws IOException {
        StringBuilder detail = new StringBuilder();
        try {
            Transfer.Outcome o = transfer.transfer(account, file, detail);
            if (o == Transfer.Outcome.TRANSFERRED) {
                transferred++;
                log.debug("MR5004 account {}: transferred {}", account.name(), detail);
            } else {
                failed++;
                log.warn("MR5005 account {}: {} moved to pop3/failed/: {}", account.name(), file.getFileName(), detail);
            }
            return true;
        } catch (IOException e) {
            log.warn("MR5007 account {}: {} cannot be handed to pickup now ({}); it stays in pop3/incoming/ and on "
                    + "the server, and is tried again at the next run", account.name(), file.getFileName(), e.toString());
            return false;
        }
    }

    private Path save(Message m, String name, String uid) throws MessagingException, IOException {
        Path tmp = incoming.resolve("." + name + ".part");
        Path target = incoming.resolve(name);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(ch);
            m.writeTo(out);
            out.flush();
            ch.force(true);
        } catch (IOException | MessagingException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Transfer.fsyncDir(incoming);
        log.debug("MR5003 account {}: downloaded message {} (UIDL {}, {} bytes) to {}", account.name(),
                m.getMessageNumber(), uid, Files.size(target), target.getFileName());
        return target;
    }

    /** The UIDL in a download's file name; null for a message without one. */
    static String uidOf(Path file) {
        return DownloadName.parse(file.getFileName().toString()).map(DownloadName::uid).orElse(null);
    }

    private static String uid(Folder inbox, Message m) throws MessagingException {
        return inbox instanceof UIDFolder u ? String.valueOf(u.getUID(m)) : reflectUid(inbox, m);
    }

    /** POP3 folders expose the UIDL through {@code POP3Folder.getUID(Message)}, which is not UIDFolder's. */
    private static String reflectUid(Folder inbox, Message m) {
        try {
            Object uid = inbox.getClass().getMethod("getUID", Message.class).invoke(inbox, m);
            return uid == null ? null : uid.toString();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private Properties properties() {
        String p = account.security() == Account.Security.SSL ? "mail.pop3s." : "mail.pop3.";
        Properties props = new Properties();
        props.put(p + "connectiontimeout", String.valueOf(account.connectTimeoutSeconds() * 1000));
        props.put(p + "timeout", String.valueOf(account.readTimeoutSeconds() * 1000));
        props.put(p + "writetimeout", String.valueOf(account.readTimeoutSeconds() * 1000));
        if (account.security() == Account.Security.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        if (account.sslTrust() != null) {
            // trusting a certificate without a CA (self-signed) makes checking the name in it moot
            props.put(p + "ssl.trust", account.sslTrust());
            props.put(p + "ssl.checkserveridentity", "false");
        }
        return props;
    }

    /** The server's words, if the exception carries them. */
    private static String reply(Exception e) {
        String m = e.getMessage();
        Throwable c = e.getCause();
        if ((m == null || m.isBlank()) && c != null) {
            m = c.toString();
        } else if (c != null && !(c instanceof MessagingException)) {
            m = m + " (" + c + ")";
        }
        return m == null ? e.toString() : m.replaceAll("[\\r\\n]+", " ").strip();
    }

    static Path incomingOf(Path data) {
        return data.resolve("incoming");
    }

    static Path failedOf(Path data) {
        return data.resolve("failed");
    }

}
