package dev.mailroot.server.outbound;

import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.outbound.DeliveryStatusNotification.Kind;
import dev.mailroot.server.outbound.DeliveryStatusNotification.RecipientStatus;
import dev.mailroot.server.outbound.DeliveryStatusNotification.Report;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MessageHeaders;
import org.eclipse.angus.mail.dsn.MultipartReport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link DeliveryStatusNotification} written, then read back with Angus Mail's dsn parser as a mail client would. */
class DeliveryStatusNotificationTest {
    private static final Instant ARRIVAL = Instant.parse("2026-12-04T09:15:00Z");
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final String ORIGINAL = "From: Alice <alice@mailroot.test>\nTo: bob@example.org, carol@example.org\n"
            + "Subject: quarterly figures\nMessage-ID: <orig-1@mailroot.test>\n\nHi both,\nthe figures are attached.\n";

    private static Report report(Kind kind, List<RecipientStatus> recipients, boolean full) {
        return new Report("mail.mailroot.test", "MAILER-DAEMON@mail.mailroot.test", kind, "alice@mailroot.test",
                "env-42", "Q123ABC", ARRIVAL, recipients, MessageContent.of(ORIGINAL.getBytes(StandardCharsets.UTF_8)), full, NOW);
    }

    private static RecipientStatus bob() {
        return new RecipientStatus("bob@example.org", "rfc822;bob@example.org", "failed", "5.1.1", "mx1.example.org",
                "550 5.1.1 <bob@example.org>: no such user", NOW.minusSeconds(5), null);
    }

    private static RecipientStatus carol() {
        return new RecipientStatus("carol@example.org", null, "failed", "5.2.2", "mx1.example.org",
                "552 5.2.2 <carol@example.org>: mailbox full", NOW.minusSeconds(5), null);
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    @Test
    void aBounceParsesBackAsAMultipartReportWithOneDeliveryStatusPerRecipient() throws Exception {
        byte[] bytes = DeliveryStatusNotification.write(report(Kind.FAILURE, List.of(bob(), carol()), false));
        MimeMessage m = parse(bytes);

        assertThat(m.getHeader("From", null)).isEqualTo("Mail Delivery System <MAILER-DAEMON@mail.mailroot.test>");
        assertThat(m.getHeader("To", null)).isEqualTo("alice@mailroot.test");
        assertThat(m.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(m.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(m.getHeader("Date", null)).isEqualTo("Fri, 4 Dec 2026 10:00:00 +0000");
        assertThat(m.getMessageID()).endsWith("@mail.mailroot.test>");
        assertThat(m.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");

        MultipartReport report = (MultipartReport) m.getContent();
        DeliveryStatus ds = (DeliveryStatus) report.getReport();
        assertThat(ds.getMessageDSN().getHeader("Reporting-MTA", null)).isEqualTo("dns; mail.mailroot.test");
        assertThat(ds.getMessageDSN().getHeader("Original-Envelope-Id", null)).isEqualTo("env-42");
        assertThat(ds.getRecipientDSNCount()).isEqualTo(2);
        InternetHeaders first = ds.getRecipientDSN(0);
        assertThat(first.getHeader("Final-Recipient", null)).isEqualTo("rfc822; bob@example.org");
        assertThat(first.getHeader("Original-Recipient", null)).isEqualTo("rfc822;bob@example.org");
        assertThat(first.getHeader("Action", null)).isEqualTo("failed");
        assertThat(first.getHeader("Status", null)).isEqualTo("5.1.1");
        assertThat(first.getHeader("Remote-MTA", null)).isEqualTo("dns; mx1.example.org");
        assertThat(first.getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 550 5.1.1 <bob@example.org>: no such user");
        assertThat(ds.getRecipientDSN(1).getHeader("Status", null)).isEqualTo("5.2.2");

        String text = report.getText();
        assertThat(text).contains("could not be delivered to these recipients", "bob@example.org",
                "does not exist", "mailbox is full", "will not be retried", "Q123ABC");
    }

    @Test
    void theOriginalsHeadersComeBackByDefaultAndTheWholeMessageWhenAsked() throws Exception {
        MultipartReport headersOnly = (MultipartReport) parse(DeliveryStatusNotification.write(
                report(Kind.FAILURE, List.of(bob()), false))).getContent();
        MultipartReport full = (MultipartReport) parse(DeliveryStatusNotification.write(
                report(Kind.FAILURE, List.of(bob()), true))).getContent();

        assertThat(headersOnly.getCount()).isEqualTo(3);
        assertThat(headersOnly.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        MessageHeaders returned = (MessageHeaders) headersOnly.getBodyPart(2).getContent();
        assertThat(returned.getHeader("Subject", null)).isEqualTo("quarterly figures");
        assertThat(returned.getHeader("Message-ID", null)).isEqualTo("<orig-1@mailroot.test>");
        assertThat(returned.getHeader("MIME-Version", null)).isNull();

        assertThat(full.getBodyPart(2).getContentType()).startsWith("message/rfc822");
        MimeMessage original = full.getReturnedMessage();
        assertThat(original.getSubject()).isEqualTo("quarterly figures");
        assertThat(original.getMessageID()).isEqualTo("<orig-1@mailroot.test>");
        assertThat(original.getHeader("MIME-Version")).isNull();
        assertThat(new String(original.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("Hi both,\r\nthe figures are attached.\r\n");
    }

    @Test
    void aNonAsciiSubjectComesBackUngarbled() throws Exception {
        Report r = new Report("mail.mailroot.test", "MAILER-DAEMON@mail.mailroot.test", Kind.FAILURE, "alice@mailroot.test",
                null, "Q9", ARRIVAL, List.of(bob()),
                MessageContent.of("Subject: Caf\u00e9 \u00e0 midi\nFrom: alice@mailroot.test\n\nbody\n".getBytes(StandardCharsets.UTF_8)), false, NOW);

        MultipartReport report = (MultipartReport) parse(DeliveryStatusNotification.write(r)).getContent();

        // Angus's own text/rfc822-headers reader takes the bytes as ISO-8859-1: read the decoded part as UTF-8
        assertThat(report.getBodyPart(2).getContentType()).contains("charset=UTF-8");
        assertThat(new String(report.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("Subject: Caf\u00e9 \u00e0 midi\r\nFrom: alice@mailroot.test\r\n");
    }

    @Test
    void aDelayWarningSaysWhenRetryingEnds() throws Exception {
        RecipientStatus delayed = new RecipientStatus("bob@example.org", null, "delayed", "4.4.1", null,
                "451 4.4.1 mx1.example.org[192.0.2.1]:25: connection refused", NOW.minusSeconds(60),
                ARRIVAL.plus(Duration.ofDays(5)));
        MimeMessage m = parse(DeliveryStatusNotification.write(report(Kind.DELAY, List.of(delayed), false)));

        assertThat(m.getSubject()).isEqualTo("Delayed Mail (still being retried)");
        MultipartReport report = (MultipartReport) m.getContent();
        InternetHeaders r = ((DeliveryStatus) report.getReport()).getRecipientDSN(0);
        assertThat(r.getHeader("Action", null)).isEqualTo("delayed");
        assertThat(r.getHeader("Will-Retry-Until", null)).isEqualTo("Wed, 9 Dec 2026 09:15:00 +0000");
        assertThat(r.getHeader("Remote-MTA", null)).isNull();
        assertThat(report.getText()).contains("has not been delivered to this recipient yet",
                "could not be reached", "keeps trying until Wed, 9 Dec 2026 09:15:00 +0000", "You do not need to do anything");
    }

    @Test
    void everyLineEndsWithCrlf() throws Exception {
        byte[] bytes = DeliveryStatusNotification.write(report(Kind.FAILURE, List.of(bob()), true));
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                assertThat(i).as("LF at %d without CR", i).isPositive();
                assertThat(bytes[i - 1]).as("byte before the LF at %d", i).isEqualTo((byte) '\r');
            } else if (bytes[i] == '\r') {
                assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n').as("CR at %d without LF", i).isTrue();
            }
        }
    }

    @Test
    void itsOwnOutputIsRecognisedAsANotificationAndAnOrdinaryMessageIsNot() throws Exception {
        byte[] bounce = DeliveryStatusNotification.write(report(Kind.FAILURE, List.of(bob()), false));

        assertThat(DeliveryStatusNotification.isDeliveryStatusNotification(MessageContent.of(bounce))).isTrue();
        assertThat(DeliveryStatusNotification.isDeliveryStatusNotification(MessageContent.of(ORIGINAL.getBytes(StandardCharsets.UTF_8)))).isFalse();
        assertThat(DeliveryStatusNotification.isDeliveryStatusNotification(
                "Content-Type: Multipart/Report;\n\treport-type=\"Delivery-Status\"; boundary=x\n")).isTrue();
        assertThat(DeliveryStatusNotification.isDeliveryStatusNotification(
                "Content-Type: multipart/report; report-type=disposition-notification; boundary=x\n")).isFalse();
        assertThat(DeliveryStatusNotification.isDeliveryStatusNotification(
                "Auto-Submitted: auto-replied\nSubject: Out of office\n")).isFalse();
    }
}
