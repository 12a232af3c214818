package dev.mailroot.pop3;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hands a downloaded message from {@code pop3/incoming/} to the pickup folder: with an
 * {@code x-sender:} line (the original sender) and one {@code x-receiver:} line per local mailbox,
 * written {@code mspop3connector.<mailbox>@<first local domain>} (the SBS convention the connector's
 * sink undoes). The pickup file is written under a name the pickup ignores, fsync'd, renamed in,
 * and the pickup folder fsync'd: the hand-off is durable when {@link #transfer} returns. Until the
 * caller removes the download, the message is in both places; a crash then transfers it again
 * (replacing the pickup file if the pickup has not taken it yet): a duplicate at worst, never a loss.
 *
 * <p>A download that is not a message, and a message that cannot be routed, go to
 * {@code pop3/failed/} with a {@code .reason} file; the messages behind them carry on.
 */
final class Transfer {

    /** What became of a downloaded message. */
    enum Outcome {
        /** In the pickup folder. */
        TRANSFERRED,
        /** In failed/, with a reason. */
        FAILED
    }

    /** A reason a message cannot be transferred (it goes to failed/). */
    static final class Untransferable extends Exception {
        Untransferable(String message) {
            super(message);
        }
    }

    static final String PREFIX = "mspop3connector.";
    /** The source name of the mail this connector hands over: what {@code SOURCE=pop3-connector} matches. */
    static final String CONNECTOR = "pop3-connector";

    private final Path pickup;
    private final Path failed;
    private final String domain;

    Transfer(Path pickup, Path failed, String domain) {
        this.pickup = pickup;
        this.failed = failed;
        this.domain = domain;
    }

    /**
     * Transfers {@code file}: a copy goes into pickup, and {@code file} stays for the caller to
     * remove once the hand-off is recorded; or it is moved to failed/.
     *
     * @throws IOException if the pickup folder cannot take it now; the file stays in incoming
     */
    Outcome transfer(Account account, Path file, StringBuilder detail) throws IOException {
        List<String> receivers;
        String sender;
        String firstHop;
        try {
            Headers h = Headers.read(file);
            sender = h.sender();
            firstHop = h.firstHop();
            receivers = receivers(account, h);
        } catch (Untransferable e) {
            quarantine(file, e.getMessage());
            detail.append(e.getMessage());
            return Outcome.FAILED;
        }
        StringBuilder envelope = new StringBuilder("x-sender: ").append(sender).append("\r\n");
        for (String r : receivers) {
            envelope.append("x-receiver: ").append(r).append("\r\n");
        }
        // where it came from, for the protocol events' SOURCE= rules and connection filters
        envelope.append("x-connector: ").append(CONNECTOR).append("\r\n");
        envelope.append("x-connector-account: ").append(account.name().replaceAll("\\p{Cntrl}", "_")).append("\r\n");
        if (firstHop != null) {
            envelope.append("x-client-address: ").append(firstHop).append("\r\n");
        }
        String base = file.getFileName().toString();
        Path tmp = pickup.resolve(".pop3-" + base + ".tmp");
        Path target = pickup.resolve("pop3-" + base);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE); InputStream in = Files.newInputStream(file)) {
            out.write(java.nio.ByteBuffer.wrap(envelope.toString().getBytes(StandardCharsets.UTF_8)));
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(pickup);
        detail.append(target.getFileName()).append(" to ").append(receivers);
        return Outcome.TRANSFERRED;
    }

    private List<String> receivers(Account account, Headers h) throws Untransferable {
        Set<String> mailboxes = new LinkedHashSet<>();
        if (account.type() == Account.Type.USER) {
            mailboxes.add(account.mailbox());
        } else {
            List<String> unrouted = new ArrayList<>();
            for (String address : h.recipients()) {
                String box = null;
                for (Account.Route r : account.routing()) {
                    if (r.pattern().matches(address)) {
                        box = r.mailbox();
                        break;
                    }
                }
                if (box == null) {
                    unrouted.add(address);
                } else {
                    mailboxes.add(box);
                }
            }
            if (!unrouted.isEmpty() || mailboxes.isEmpty()) {
                if (account.fallbackMailbox() != null) {
                    mailboxes.add(account.fallbackMailbox());
                } else if (mailboxes.isEmpty()) {
                    throw new Untransferable("no routing pattern matches its recipients " + h.recipients()
                            + " (To: and Cc:; Bcc recipients are not visible) and the account has no fallbackMailbox");
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String box : mailboxes) {
            out.add(PREFIX + box + "@" + domain);
        }
        return out;
    }

    /** Moves a file to failed/ with a {@code .reason} beside it; durable when this returns. */
    void quarantine(Path file, String reason) throws IOException {
        Files.createDirectories(failed);
        String name = file.getFileName().toString();
        Path reasonFile = failed.resolve(name + ".reason");
        Path tmp = failed.resolve("." + name + ".reason.tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap((reason.replaceAll("[\\r\\n]+", " ") + "\n"
                    + "Fix the cause, then move " + name + " into mailroot/pickup/ with x-sender:/x-receiver: lines, "
                    + "or delete it.\n").getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(tmp, reasonFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(file, failed.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(failed);
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** The few header fields the transfer needs, read without a full MIME parse. */
    record Headers(String sender, List<String> recipients, String firstHop) {

        static Headers read(Path file) throws IOException, Untransferable {
            List<String> fields = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                String line;
                StringBuilder current = null;
                boolean first = true;
                while ((line = r.readLine()) != null) {
                    if (line.isEmpty()) {
                        break;
                    }
                    if ((line.startsWith(" ") || line.startsWith("\t")) && current != null) {
                        current.append(' ').append(line.strip());
                        continue;
                    }
                    int colon = line.indexOf(':');
                    if (colon <= 0 || !line.substring(0, colon).chars().allMatch(c -> c > 32 && c < 127)) {
                        if (first) {
                            throw new Untransferable("not a message: the download does not start with header fields");
                        }
                        break;
                    }
                    if (current != null) {
                        fields.add(current.toString());
                    }
                    current = new StringBuilder(line);
                    first = false;
                }
                if (current != null) {
                    fields.add(current.toString());
                }
            }
            if (fields.isEmpty()) {
                throw new Untransferable("not a message: the download is empty or has no header fields");
            }
            String sender = "";
            for (String name : List.of("Return-Path", "Sender", "From")) {
                List<String> a = addresses(fields, name);
                if (!a.isEmpty()) {
                    sender = a.get(0);
                    break;
                }
            }
            List<String> recipients = new ArrayList<>(addresses(fields, "To"));
            recipients.addAll(addresses(fields, "Cc"));
            return new Headers(sender, recipients, firstHop(fields));
        }

        private static final java.util.regex.Pattern LITERAL = java.util.regex.Pattern.compile(
                "\\[(?:IPv6:)?((?:\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)]");

        /**
         * The address the mailbox provider received the message from: the bracketed literal in the
         * {@code from} part of the topmost {@code Received:} field (the provider's own), if any.
         * Connection filters (DNS block lists) judge it as they judge an SMTP client.
         */
        static String firstHop(List<String> fields) {
            for (String f : fields) {
                int colon = f.indexOf(':');
                if (!f.substring(0, colon).strip().equalsIgnoreCase("Received")) {
                    continue;
                }
                String value = f.substring(colon + 1);
                int by = value.toLowerCase(Locale.ROOT).indexOf(" by ");
                java.util.regex.Matcher m = LITERAL.matcher(by < 0 ? value : value.substring(0, by));
                return m.find() ? m.group(1) : null;
            }
            return null;
        }

        private static List<String> addresses(List<String> fields, String name) {
            List<String> out = new ArrayList<>();
            for (String f : fields) {
                int colon = f.indexOf(':');
                if (!f.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                try {
                    for (InternetAddress a : InternetAddress.parseHeader(f.substring(colon + 1), false)) {
                        String addr = a.getAddress();
                        if (addr != null && !addr.isBlank() && addr.chars().noneMatch(c -> c <= ' ' || c == '<' || c == '>')) {
                            out.add(addr);
                        }
                    }
                } catch (AddressException e) {
                    // an unreadable field adds nobody
                }
            }
            return out;
        }
    }
}
