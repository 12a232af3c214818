package dev.mailroot.server.sieve;

import dev.mailroot.server.address.LocalRecipients;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which senders each mailbox has answered with a vacation reply, and until when (RFC 5230 §4.2):
 * a sender is answered once per period for one handle. Kept in a folder the caller names
 * ({@code mailroot/sieve-state/}), one small file per mailbox ({@code <mailbox>.vacation}), so the
 * memory survives a restart.
 *
 * <p>Each answer is written before it is reported (a temporary file, fsync, atomic rename, fsync of
 * the folder), so a crash never leads to a second reply within the period. Calls for one mailbox
 * are serialised; calls for different mailboxes run in parallel. One instance per folder per
 * process. A mailbox's file keeps at most {@link #MAX_ENTRIES} senders: expired ones are dropped
 * first, then those whose period ends soonest. Senders are stored as hashes, not addresses.
 */
public final class VacationMemory {

    /** Senders remembered per mailbox at most (a file of about 50 KB). */
    public static final int MAX_ENTRIES = 1000;

    /** The shortest period RFC 5230 §4.1 allows; a shorter {@code :days} means this. */
    public static final Duration MIN_PERIOD = Duration.ofDays(1);

    private static final String HEADER = "mailroot-vacation 1";

    private final Path folder;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** @param folder where the files are kept; created when first written */
    public VacationMemory(Path folder) {
        this.folder = Objects.requireNonNull(folder, "folder");
    }

    /**
     * Whether to send a vacation reply to {@code sender} now, and if so, remember that it was sent:
     * true at most once per {@code period} for one mailbox, handle and sender (compared without
     * case). False for the null sender ({@code ""}). The other reasons not to reply (lists,
     * automatic mail, the message not addressed to the mailbox) are {@link VacationReply#refusal},
     * to be asked first so that such mail does not use up the period.
     *
     * @param mailbox the mailbox's name (the local part, as its folder is named)
     * @param handle  the vacation's handle ({@link SieveAction.Vacation#handle()})
     * @param sender  the envelope sender of the message
     * @param period  {@code :days}; less than a day counts as one day
     * @param now     the current time
     * @throws IOException if the memory cannot be read or written: nothing is recorded, and the
     *                     caller should not reply (no reply is better than one per message)
     */
    public boolean shouldReply(String mailbox, String handle, String sender, Duration period, Instant now)
            throws IOException {
        if (!LocalRecipients.isSafeMailboxName(mailbox)) {
            throw new IllegalArgumentException("not a mailbox name: " + mailbox);
        }
        if (sender == null || sender.isBlank()) {
            return false;
        }
        Duration effective = period.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : period;
        String key = key(handle, sender);
        synchronized (locks.computeIfAbsent(mailbox, m -> new Object())) {
            Path file = folder.resolve(mailbox + ".vacation");
            Map<String, Long> until = read(file);
            long nowSeconds = now.getEpochSecond();
            Long previous = until.get(key);
            if (previous != null && previous > nowSeconds) {
                return false;
            }
            until.values().removeIf(end -> end <= nowSeconds);
            until.put(key, now.plus(effective).getEpochSecond());
            write(file, bounded(until));
            return true;
        }
    }

    private static String key(String handle, String sender) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.valueOf(handle).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(sender.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java", e);
        }
    }

    private static Map<String, Long> read(Path file) throws IOException {
        Map<String, Long> until = new HashMap<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return until;
        }
        for (String line : text.split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && parts[1].matches("[0-9a-f]{32}") && parts[0].matches("[0-9]{1,19}")) {
                until.merge(parts[1], Long.parseLong(parts[0]), Math::max);
            }
        }
        return until;
    }

    private static Map<String, Long> bounded(Map<String, Long> until) {
        if (until.size() <= MAX_ENTRIES) {
            return until;
        }
        Map<String, Long> kept = new HashMap<>();
        until.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(MAX_ENTRIES)
                .forEach(e -> kept.put(e.getKey(), e.getValue()));
        return kept;
    }

    private void write(Path file, Map<String, Long> until) throws IOException {
        Files.createDirectories(folder);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        until.forEach((key, end) -> text.append(end).append(' ').append(key).append('\n'));
        Path tmp = folder.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a folder; the rename is still atomic
        }
    }
}
