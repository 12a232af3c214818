package dev.mailroot.server.delivery;

import dev.mailroot.server.directory.Mailbox;
import dev.mailroot.server.directory.MaildirQuota;
import dev.mailroot.server.directory.Quota;
import dev.mailroot.server.directory.Sizes;
import dev.mailroot.server.message.MessageContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The quota warning: when a delivery brings a mailbox to its warning level, {@code MR3106} is logged
 * and the mailbox gets one notice, at most once a day (the day is kept in
 * {@code Maildir/mailroot-quota-warned}, so a restart does not repeat it). The notice goes straight
 * into the inbox (not through the spool: it is about this mailbox only) and counts towards its usage.
 */
final class QuotaWarnings {
    private static final Logger log = LoggerFactory.getLogger(QuotaWarnings.class);
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private final String hostname;
    private final Clock clock;
    private final boolean crlf;

    QuotaWarnings(String hostname, Clock clock, boolean crlf) {
        this.hostname = hostname;
        this.clock = clock;
        this.crlf = crlf;
    }

    /** After a delivery to {@code m}: warns once a day if it is at or above its warning level. */
    synchronized void check(Mailbox m, Path root, Quota quota, Maildir maildir) throws IOException {
        MaildirQuota.Usage u = MaildirQuota.usage(root, quota);
        if (!quota.warns(u.bytes(), u.messages())) {
            return;
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneId.systemDefault());
        Path state = root.resolve("mailroot-quota-warned");
        try {
            if (Files.readString(state, StandardCharsets.US_ASCII).strip().equals(today.toString())) {
                return;
            }
        } catch (NoSuchFileException e) {
            // never warned
        }
        String usage = Sizes.format(u.bytes()) + " in " + u.messages() + " messages";
        if (quota.full(u.bytes(), u.messages())) {
            // full already: a notice would only push it further; new mail waits (MR3105) and says why
            log.warn("MR3106 mailbox {} is full ({}; limit {})", m.name(), usage, quota.describe());
            return;
        }
        log.warn("MR3106 mailbox {} is at {} of its quota's warning level ({}): {}; its owner gets a notice (once a day)",
                m.name(), quota.warnPercent() + " %", quota.describe(), usage);
        String text = "From: Mail Administrator <postmaster@" + hostname + ">\r\n"
                + "To: " + m.name() + "@" + hostname + "\r\n"
                + "Subject: Your mailbox is almost full\r\n"
                + "Date: " + RFC5322.format(clock.instant().atZone(ZoneId.systemDefault())) + "\r\n"
                + "Auto-Submitted: auto-generated\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "\r\n"
                + "Your mailbox " + m.name() + " holds " + usage + ".\r\n"
                + "Its limit is " + quota.describe() + ".\r\n"
                + "When it is full, new mail for you waits, and after a day it is set aside for the administrator\r\n"
                + "(badmail) instead of reaching you. Please delete or archive old mail.\r\n";
        Path file = maildir.deliver(new byte[0], MessageContent.of(text.getBytes(StandardCharsets.UTF_8)), crlf);
        MaildirQuota.added(root, quota, Files.size(file));
        Path tmp = root.resolve("tmp").resolve("mailroot-quota-warned." + ProcessHandle.current().pid());
        Files.writeString(tmp, today + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
