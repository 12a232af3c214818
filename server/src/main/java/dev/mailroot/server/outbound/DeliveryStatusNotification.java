package dev.mailroot.server.outbound;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.ParameterList;
import jakarta.mail.internet.ParseException;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MessageHeaders;
import org.eclipse.angus.mail.dsn.MultipartReport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;

/**
 * A delivery status notification (a bounce, or a delay warning) as RFC 3464 and RFC 6522 shape it:
 * a {@code multipart/report; report-type=delivery-status} message with a text a person can read,
 * the {@code message/delivery-status} part a program can read, and the original's header section
 * ({@code text/rfc822-headers}) or the whole original ({@code message/rfc822}). Written with
 * Angus Mail's {@code dsn} module, so any client with it (or any RFC 3464 reader) parses it back.
 *
 * <p>The caller decides whether to send one (never to the null sender, never about a DSN: see
 * {@link #isDeliveryStatusNotification}) and submits it with the null sender {@code MAIL FROM:<>}.
 * Stateless and thread-safe.
 */
public final class DeliveryStatusNotification {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private DeliveryStatusNotification() {
    }

    /** Which notification. */
    public enum Kind {
        /** Some recipients failed for good (a bounce): {@code Action: failed}. */
        FAILURE,
        /** Some recipients are still being retried (a warning): {@code Action: delayed}. */
        DELAY
    }

    /**
     * What a notification reports.
     *
     * @param reportingMta          this host's name ({@code Reporting-MTA: dns; ...})
     * @param postmaster            the address it comes from, {@code MAILER-DAEMON@host}
     * @param kind                  failure or delay
     * @param originalSender        the original's envelope sender: the notification's {@code To}
     * @param originalEnvelopeId    the {@code ENVID} received with the original, or {@code null}
     * @param messageId             the original's queue id ({@code X-Mailroot-Queue-ID})
     * @param arrival               when the original arrived ({@code Arrival-Date})
     * @param recipients            the recipients reported, at least one
     * @param original              the original message as stored
     * @param returnFullMessage     attach the whole original ({@code RET=FULL}) instead of its headers
     * @param now                   the notification's {@code Date}
     */
    public record Report(String reportingMta, String postmaster, Kind kind, String originalSender,
                         String originalEnvelopeId, String messageId, Instant arrival,
                         List<RecipientStatus> recipients, MessageContent original, boolean returnFullMessage,
                         Instant now) {
        /** Checks what must be there is there. */
        public Report {
            Objects.requireNonNull(reportingMta, "reportingMta");
            Objects.requireNonNull(postmaster, "postmaster");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(originalSender, "originalSender");
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(arrival, "arrival");
            Objects.requireNonNull(original, "original");
            Objects.requireNonNull(now, "now");
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) {
                throw new IllegalArgumentException("a notification reports at least one recipient");
            }
        }
    }

    /**
     * One recipient's fields in the report (RFC 3464 §2.3).
     *
     * @param finalRecipient    the address delivery was tried to ({@code Final-Recipient: rfc822; ...})
     * @param originalRecipient the {@code ORCPT} received ({@code rfc822;bob@example.org} or a bare
     *                          address), or {@code null}
     * @param action            {@code failed} or {@code delayed}
     * @param status            the enhanced status code ({@code 5.1.1})
     * @param remoteMta         the server that answered ({@code Remote-MTA: dns; ...}), or {@code null}
     * @param diagnostic        the reply ({@code 550 5.1.1 ...}), written as {@code smtp; ...}, or
     *                          {@code null} when no server answered
     * @param lastAttempt       when delivery was last tried
     * @param willRetryUntil    for a delay: when retrying ends; else {@code null}
     */
    public record RecipientStatus(String finalRecipient, String originalRecipient, String action, String status,
                                  String remoteMta, String diagnostic, Instant lastAttempt, Instant willRetryUntil) {
        /** Checks what must be there is there. */
        public RecipientStatus {
            Objects.requireNonNull(finalRecipient, "finalRecipient");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(lastAttempt, "lastAttempt");
        }
    }

    /**
     * The notification as a message, CRLF line ends, ready to be submitted with the null sender.
     *
     * @throws IOException when the original cannot be read
     */
    public static byte[] write(Report report) throws IOException {
        try {
            Session session = Session.getInstance(new Properties());
            String messageId = "<" + report.now().toEpochMilli() + "." + UUID.randomUUID() + "@" + report.reportingMta() + ">";
            MimeMessage m = new MimeMessage(session) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    setHeader("Message-ID", messageId);
                }
            };
            m.setFrom(new InternetAddress(report.postmaster(), "Mail Delivery System", "UTF-8"));
            m.setHeader("To", report.originalSender());
            m.setSubject(report.kind() == Kind.FAILURE ? "Undelivered Mail Returned to Sender"
                    : "Delayed Mail (still being retried)", "UTF-8");
            m.setHeader("Date", date(report.now()));
            m.setHeader("Auto-Submitted", "auto-replied");

            MultipartReport multipart = new MultipartReport("", deliveryStatus(report));
            multipart.setReturnedMessage(report.returnFullMessage()
                    ? originalMessage(session, report.original()) : originalHeaders(report.original()));
            MimeBodyPart text = new MimeBodyPart();
            text.setText(BounceText.of(report).replace("\n", "\r\n"), "UTF-8");
            multipart.setTextBodyPart(text);
            m.setContent(multipart);
            m.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            return crlf(out.toByteArray());
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new IllegalStateException("cannot build the notification: " + e.getMessage(), e);
        }
    }

    private static DeliveryStatus deliveryStatus(Report report) throws MessagingException {
        DeliveryStatus ds = new DeliveryStatus();
        InternetHeaders message = new InternetHeaders();
        message.addHeader("Reporting-MTA", "dns; " + report.reportingMta());
        message.addHeader("X-Mailroot-Queue-ID", report.messageId());
        if (report.originalEnvelopeId() != null) {
            message.addHeader("Original-Envelope-Id", report.originalEnvelopeId());
        }
        message.addHeader("Arrival-Date", date(report.arrival()));
        ds.setMessageDSN(message);
        for (RecipientStatus r : report.recipients()) {
            InternetHeaders h = new InternetHeaders();
            h.addHeader("Final-Recipient", "rfc822; " + r.finalRecipient());
            if (r.originalRecipient() != null) {
                h.addHeader("Original-Recipient", r.originalRecipient().indexOf(';') > 0
                        ? r.originalRecipient() : "rfc822; " + r.originalRecipient());
            }
            h.addHeader("Action", r.action());
            h.addHeader("Status", r.status());
            if (r.remoteMta() != null) {
                h.addHeader("Remote-MTA", "dns; " + r.remoteMta());
            }
            if (r.diagnostic() != null) {
                h.addHeader("Diagnostic-Code", "smtp; " + r.diagnostic());
            }
            h.addHeader("Last-Attempt-Date", date(r.lastAttempt()));
            if (r.willRetryUntil() != null) {
                h.addHeader("Will-Retry-Until", date(r.willRetryUntil()));
            }
            ds.addRecipientDSN(h);
        }
        return ds;
    }

    /*
     * The returned original goes back as it came: saveChanges() on the report would otherwise
     * update the nested message's headers too, giving it a new Message-ID and MIME-Version, and
     * the sender could no longer tell which of their messages bounced.
     */
    private static MimeMessage originalHeaders(MessageContent original) throws IOException, MessagingException {
        // the fields decoded as UTF-8 here, because the part is written out as UTF-8: InternetHeaders'
        // own reader takes bytes as ISO-8859-1 and would garble a non-ASCII (RFC 6532) field
        InternetHeaders headers = new InternetHeaders();
        for (HeaderSection.Field f : HeaderSection.parse(original).fields()) {
            for (String line : new String(f.raw(), StandardCharsets.UTF_8).split("\r\n|\r|\n")) {
                if (!line.isEmpty()) {
                    headers.addHeaderLine(line);
                }
            }
        }
        return new MessageHeaders(headers) {
            @Override
            protected void updateHeaders() {
            }
        };
    }

    private static MimeMessage originalMessage(Session session, MessageContent original) throws IOException, MessagingException {
        return new MimeMessage(session, new ByteArrayInputStream(crlf(MessageContent.readAll(original)))) {
            @Override
            protected void updateHeaders() {
            }
        };
    }

    /** RFC 5322 date-time in UTC: {@code Sat, 5 Dec 2026 00:32:43 +0000}. */
    static String date(Instant t) {
        return DATE.format(t.atOffset(ZoneOffset.UTC));
    }

    /** Every bare CR or LF made a CRLF. */
    private static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 32);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /**
     * Whether {@code message} is itself a delivery status notification: its {@code Content-Type}
     * is {@code multipart/report} with {@code report-type=delivery-status} (RFC 3464 §2). No
     * notification is sent about one (RFC 3461 §6.2), which stops two servers bouncing a bounce
     * back and forth.
     *
     * <p>Deliberately not {@code Auto-Submitted}: a vacation reply or a list digest that cannot be
     * delivered must still come back to its sender (RFC 3834 §2 asks auto-responders not to answer
     * such mail; a DSN is not an answer, it is the delivery system's report). Loops through those
     * are stopped by the null sender, to which no notification is ever sent.
     */
    public static boolean isDeliveryStatusNotification(MessageContent message) throws IOException {
        return isDsnContentType(HeaderSection.parse(message).first("Content-Type").orElse(null));
    }

    /** The same test on a header section given as text (the fields, folded or not, any line ends). */
    public static boolean isDeliveryStatusNotification(String headerText) {
        try {
            return isDeliveryStatusNotification(MessageContent.of(headerText.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException("reading memory failed", e);
        }
    }

    private static boolean isDsnContentType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        if (!type.equalsIgnoreCase("multipart/report") || semi < 0) {
            return false;
        }
        try {
            String reportType = new ParameterList(contentType.substring(semi)).get("report-type");
            return reportType != null && reportType.trim().equalsIgnoreCase("delivery-status");
        } catch (ParseException e) {
            return contentType.toLowerCase(Locale.ROOT).replace("\"", "").replace(" ", "")
                    .contains("report-type=delivery-status");
        }
    }
}
