package dev.mailroot.server.sieve;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The automatic reply of a {@code vacation} action (RFC 5230): whether a message may be answered
 * at all ({@link #refusal}) and the reply's bytes ({@link #build}).
 *
 * <p>The delivery stage, for a {@link Decision#vacation()}: asks {@link #refusal}; if there is none,
 * asks {@link VacationMemory#shouldReply}; if that says yes, submits {@link #build}'s message to
 * the original envelope sender with the <b>null envelope sender</b> ({@link #ENVELOPE_SENDER}):
 * a reply that cannot be delivered then bounces nowhere instead of into the vacationer's inbox,
 * and no other autoresponder answers it (RFC 5230 §5 and RFC 3834 §3.3 recommend it).
 */
public final class VacationReply {

    /** The envelope sender to submit a reply with: the null sender {@code <>}. */
    public static final String ENVELOPE_SENDER = "";

    private static final List<String> RECIPIENT_FIELDS =
            List.of("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc");
    private static final Set<String> LIST_PRECEDENCE = Set.of("bulk", "list", "junk");
    private static final Set<String> ROBOT_LOCAL_PARTS =
            Set.of("mailer-daemon", "listserv", "majordomo", "owner", "noreply", "no-reply");

    private VacationReply() {
    }

    /**
     * Why this message must not be answered, or empty if it may be (RFC 5230 §4.5, §4.6, RFC 3834
     * §2): the null sender; {@code Auto-Submitted} other than {@code no}; {@code Precedence: bulk},
     * {@code list} or {@code junk}; any {@code List-*} field; a sender that is a list or mail
     * robot ({@code MAILER-DAEMON}, {@code owner-*}, {@code *-request}...) or one of the
     * mailbox's own addresses; or none of the mailbox's addresses in {@code To}, {@code Cc},
     * {@code Bcc} or their {@code Resent-} forms.
     *
     * @param mailboxAddresses the mailbox's own addresses (at least the envelope recipient);
     *                         the vacation's {@code :addresses} count too
     */
    public static Optional<String> refusal(SieveMail mail, SieveAction.Vacation vacation,
                                           Collection<String> mailboxAddresses) {
        String sender = mail.envelopeSender().strip();
        if (sender.isEmpty()) {
            return Optional.of("null sender");
        }
        for (String value : mail.headers("Auto-Submitted")) {
            String kind = value.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!kind.equals("no")) {
                return Optional.of("Auto-Submitted: " + kind);
            }
        }
        for (String value : mail.headers("Precedence")) {
            if (LIST_PRECEDENCE.contains(value.strip().toLowerCase(Locale.ROOT))) {
                return Optional.of("Precedence: " + value.strip());
            }
        }
        for (String name : mail.headerNames()) {
            if (name.regionMatches(true, 0, "List-", 0, 5)) {
                return Optional.of("mailing list (" + name + ")");
            }
        }
        String senderLocal = sender.substring(0, Math.max(0, sender.lastIndexOf('@'))).toLowerCase(Locale.ROOT);
        if (ROBOT_LOCAL_PARTS.contains(senderLocal) || senderLocal.startsWith("owner-")
                || senderLocal.endsWith("-request") || senderLocal.endsWith("-owner")) {
            return Optional.of("sender is a list or robot address");
        }
        Set<String> own = new HashSet<>();
        mailboxAddresses.forEach(a -> own.add(normal(a)));
        vacation.addresses().forEach(a -> own.add(normal(a)));
        own.add(normal(mail.envelopeRecipient()));
        if (own.contains(normal(sender))) {
            return Optional.of("sender is the mailbox itself");
        }
        for (String field : RECIPIENT_FIELDS) {
            for (String value : mail.headers(field)) {
                for (String address : addresses(value)) {
                    if (own.contains(address)) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.of("the mailbox is not in To or Cc");
    }

    /**
     * The reply message, CRLF line ends: {@code From:} the vacation's {@code :from} or the mailbox,
     * {@code To:} the original envelope sender, {@code Subject:} the vacation's {@code :subject} or
     * {@code Auto: <original subject>}, {@code In-Reply-To}/{@code References} to the original,
     * {@code Auto-Submitted: auto-replied}, {@code Date}, {@code Message-ID}, and the reason as a
     * UTF-8 text body (or, with {@code :mime}, as the MIME entity it is).
     *
     * @param mailboxAddress the mailbox's address ({@code bob@example.com})
     * @param date           the reply's date
     * @param messageId      the reply's Message-ID, without angle brackets ({@code 1234@mail.example.com})
     */
    public static byte[] build(SieveMail original, SieveAction.Vacation vacation, String mailboxAddress,
                               ZonedDateTime date, String messageId) {
        StringBuilder m = new StringBuilder();
        field(m, "From", vacation.from().map(SieveSyntaxError::oneLine).orElse(mailboxAddress));
        field(m, "To", "<" + SieveSyntaxError.oneLine(original.envelopeSender()) + ">");
        String subject = vacation.subject().map(VacationReply::encoded)
                .orElseGet(() -> "Auto: " + original.headers("Subject").stream().findFirst().orElse(""));
        field(m, "Subject", subject.strip());
        field(m, "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(date));
        field(m, "Message-ID", "<" + SieveSyntaxError.oneLine(messageId) + ">");
        Optional<String> originalId = original.headers("Message-ID").stream().findFirst().map(String::strip);
        if (originalId.isPresent()) {
            field(m, "In-Reply-To", originalId.get());
            String references = original.headers("References").stream().findFirst()
                    .or(() -> original.headers("In-Reply-To").stream().findFirst())
                    .map(r -> r.strip() + " ").orElse("") + originalId.get();
            field(m, "References", references.length() > 900 ? originalId.get() : references);
        }
        field(m, "Auto-Submitted", "auto-replied (vacation)");
        field(m, "MIME-Version", "1.0");
        String body = vacation.reason().replaceAll("\r?\n|\r", "\r\n");
        if (vacation.mime()) {
            m.append(body.startsWith("\r\n") ? body.substring(2) : body);
        } else {
            boolean ascii = body.chars().allMatch(c -> c < 0x80);
            field(m, "Content-Type", "text/plain; charset=UTF-8");
            field(m, "Content-Transfer-Encoding", ascii ? "7bit" : "8bit");
            m.append("\r\n").append(body);
        }
        if (m.charAt(m.length() - 1) != '\n') {
            m.append("\r\n");
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder m, String name, String value) {
        m.append(name).append(": ").append(SieveSyntaxError.oneLine(value)).append("\r\n");
    }

    private static String encoded(String text) {
        try {
            return MimeUtility.encodeText(SieveSyntaxError.oneLine(text), "UTF-8", "Q");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is part of every Java", e);
        }
    }

    private static List<String> addresses(String headerValue) {
        try {
            return java.util.Arrays.stream(InternetAddress.parseHeader(headerValue, false))
                    .map(InternetAddress::getAddress)
                    .filter(a -> a != null)
                    .map(VacationReply::normal)
                    .toList();
        } catch (AddressException e) {
            return List.of();
        }
    }

    private static String normal(String address) {
        String a = address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        return a.toLowerCase(Locale.ROOT);
    }
}
