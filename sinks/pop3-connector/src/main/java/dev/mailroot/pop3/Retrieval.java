package dev.mailroot.pop3;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One retrieval of one account: first the downloads a previous run left in {@code incoming/} are
 * transferred, then each new message is downloaded (temporary name, fsync, rename into
 * {@code incoming/}), transferred, recorded, and only then marked for deletion on the server
 * (deletions take effect at QUIT). A message the server cannot give (RETR fails) stays on the
 * server and the run goes on with the next; one whose transfer fails for now stays in incoming and
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
    private final Incoming incoming;
    private final Path incomingDir;
    private final Path stateDir;
    private final Transfer transfer;
    private final Logger log;
    private int downloaded;
    private int transferred;
    private int failed;

    Retrieval(Account account, Path data, Transfer transfer, Logger log) {
        this.account = account;
        this.incomingDir = incomingOf(data);
        this.incoming = new Incoming(incomingDir);
        this.stateDir = data.resolve("state");
        this.transfer = transfer;
        this.log = log;
    }

    Report run() {
        String error = null;
        try {
            Files.createDirectories(incomingDir);
            UidState state = UidState.load(stateDir, account.name());
            transferLeftovers(state);
            download(state);
        } catch (AuthenticationFailedException e) {
            // the POP3 client reports a missing or failed STLS as a failed login, before any password was sent
            error = String.valueOf(e.getMessage()).startsWith("STLS")
                    ? "no STARTTLS with " + account.where() + ", so the password was not sent: " + reply(e)
                    : "login refused by " + account.where() + ": " + reply(e);
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
        for (Path p : incoming.leftovers(account.name())) {
            handOff(p, uidOf(p), state);
        }
    }

    private void download(UidState state) throws MessagingException, IOException {
        Session session = Session.getInstance(properties());
        Store store = session.getStore(account.security() == Account.Security.SSL ? "pop3s" : "pop3");
        store.connect(account.host(), account.port(), account.user(), account.password());
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            try {
                downloadAll(inbox, state);
            } finally {
                if (inbox.isOpen()) { // false once the connection is lost: nothing can be deleted then
                    inbox.close(!account.leaveOnServer()); // DELE for the flagged messages, then QUIT
                }
            }
        } finally {
            store.close();
        }
    }

    private void downloadAll(Folder inbox, UidState state) throws MessagingException, IOException {
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
            Path file = downloadOne(inbox, m, uid);
            if (file != null && handOff(file, uid, state) && !account.leaveOnServer()) {
                m.setFlag(Flags.Flag.DELETED, true);
            }
        }
    }

    /**
     * Downloads one message into incoming/; null if the server could not give this message (it
     * stays on the server, the others carry on). A lost connection or a local write error ends the
     * run instead: every message after it would fail the same way.
     */
    private Path downloadOne(Folder inbox, Message m, String uid) throws MessagingException, IOException {
        String name = uid == null ? DownloadName.withoutUid(account.name(), m.getMessageNumber(), System.nanoTime())
                : DownloadName.of(account.name(), uid);
        Path file;
        try {
            file = incoming.save(m, name);
        } catch (Incoming.LocalFailure e) {
            throw e.getCause();
        } catch (MessagingException | IOException e) {
            if (!inbox.isOpen()) {
                throw new MessagingException("the connection was lost while reading message " + m.getMessageNumber()
                        + ": " + reply(e));
            }
            failed++;
            log.warn("MR5010 account {}: message {} (UIDL {}) cannot be downloaded: {}; it stays on the server, the "
                    + "others carry on, and the next run tries it again", account.name(), m.getMessageNumber(),
                    uid == null ? "none" : uid, e instanceof MessageRemovedException
                            ? "the server answered -ERR to RETR" : reply(e));
            return null;
        }
        downloaded++;
        log.debug("MR5003 account {}: downloaded message {} (UIDL {}, {} bytes) to {}", account.name(),
                m.getMessageNumber(), uid, Files.size(file), file.getFileName());
        return file;
    }

    /**
     * Transfers a downloaded file and records its UIDL, then removes it from incoming; true once it
     * is durable in pickup or failed/ and recorded, so the server's copy may go.
     */
    private boolean handOff(Path file, String uid, UidState state) throws IOException {
        StringBuilder detail = new StringBuilder();
        Transfer.Outcome o;
        try {
            o = transfer.transfer(account, file, detail);
        } catch (IOException e) {
            log.warn("MR5007 account {}: {} cannot be handed to pickup now ({}); it stays in pop3/incoming/ and on "
                    + "the server, and is tried again at the next run", account.name(), file.getFileName(), e.toString());
            return false;
        }
        if (uid != null) {
            state.add(uid);
        }
        if (o == Transfer.Outcome.TRANSFERRED) {
            Files.deleteIfExists(file); // only now: a crash before this transfers it again, rather than downloading it again
            transferred++;
            log.debug("MR5004 account {}: transferred {}", account.name(), detail);
        } else {
            failed++;
            log.warn("MR5005 account {}: {} moved to pop3/failed/: {}", account.name(), file.getFileName(), detail);
        }
        return true;
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
