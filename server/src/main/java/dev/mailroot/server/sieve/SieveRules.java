package dev.mailroot.server.sieve;

import dev.mailroot.server.delivery.LocalDelivery;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.directory.Expansion;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.SpoolEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The mailboxes' Sieve scripts at delivery ({@code sieve/<mailbox>.sieve} under the home): where a
 * copy goes (the inbox, Maildir++ folders, nowhere), redirects and vacation replies sent as new mail
 * through the server's own admission. Never loses mail: a script that does not compile, or fails
 * while it runs, keeps the copy in the inbox ({@code MR3107}); a redirect that cannot be submitted
 * keeps it too ({@code MR3108}). Remote redirects and vacation replies go out through the outbound queue.
 */
public final class SieveRules implements LocalDelivery.Rules {
    private static final Logger log = LoggerFactory.getLogger(SieveRules.class);

    /** Sends a new message from the delivery stage (a redirect, a vacation reply); returns its id. */
    @FunctionalInterface
    public interface Sender {
        String send(String mailFrom, String recipient, byte[] head, MessageContent content, String why) throws IOException;
    }

    private final Path dir;
    private final SieveScripts scripts;
    private final VacationMemory vacations;
    private final Sender sender;
    private final Supplier<Optional<Directory>> directory;
    private final Clock clock;
    private final String hostname;

    public SieveRules(Path dir, SieveScripts scripts, VacationMemory vacations, Sender sender,
                      Supplier<Optional<Directory>> directory, Clock clock, String hostname) {
        this.dir = dir;
        this.scripts = scripts;
        this.vacations = vacations;
        this.sender = sender;
        this.directory = directory;
        this.clock = clock;
        this.hostname = hostname;
    }

    /** The script file of {@code mailbox}. */
    public static Path scriptOf(Path dir, String mailbox) {
        return dir.resolve(mailbox + ".sieve");
    }

    @Override
    public Decision decide(Expansion.Copy copy, String id, SpoolEnvelope envelope, MessageContent content) {
        String mailbox = copy.mailbox().name();
        Path script = scriptOf(dir, mailbox);
        if (!Files.isRegularFile(script)) {
            return Decision.INBOX;
        }
        SieveScripts.Compiled compiled;
        try {
            compiled = scripts.compile(script);
        } catch (SieveSyntaxError e) {
            log.warn("MR3107 the Sieve script of mailbox {} does not compile ({}): message id={} is kept in the inbox",
                    mailbox, e.getMessage(), id);
            return new Decision(java.util.Collections.singletonList(null), "Sieve script error, kept: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.warn("MR3107 the Sieve script of mailbox {} cannot be read ({}): message id={} is kept in the inbox",
                    mailbox, e.toString(), id);
            return new Decision(java.util.Collections.singletonList(null), "Sieve script unreadable, kept");
        }
        SieveMail mail = new ContentMail(envelope.mailFrom(), copy.deliveredTo(), content);
        dev.mailroot.server.sieve.Decision d = scripts.evaluate(compiled, mail);
        for (String err : d.errors()) {
            log.warn("MR3107 the Sieve script of mailbox {} failed on message id={}: {}; the message is kept", mailbox, id, err);
        }
        List<String> folders = new ArrayList<>();
        boolean keep = d.keeps();
        for (String f : d.folders()) {
            try {
                String name = MaildirFolders.directoryName(f);
                folders.add(name.isEmpty() ? null : name);
            } catch (IllegalArgumentException e) {
                log.warn("MR3107 mailbox {}: fileinto \"{}\" is not a folder name ({}); kept in the inbox", mailbox, f, e.getMessage());
                keep = true;
            }
        }
        for (String to : d.redirects()) {
            if (!redirect(id, mailbox, copy, envelope, content, to)) {
                keep = true; // never lose the copy because its redirect cannot be served
            }
        }
        d.vacation().ifPresent(v -> vacation(id, mailbox, copy, mail, v));
        if (keep && !folders.contains(null)) {
            folders.add(0, null);
        }
        String note = "Sieve: " + d.actions().stream().map(a -> a.getClass().getSimpleName().toLowerCase(Locale.ROOT))
                .distinct().reduce((a, b) -> a + "," + b).orElse("keep");
        return new Decision(folders, note);
    }

    private boolean redirect(String id, String mailbox, Expansion.Copy copy, SpoolEnvelope envelope, MessageContent content,
                             String to) {
        try {
            // the redirected copy carries this mailbox's Delivered-To: a redirect back here is a loop, caught
            byte[] head = ("Delivered-To: " + copy.deliveredTo() + HeaderSection.newlineOf(content))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String newId = sender.send(envelope.mailFrom(), to, head, content, "Sieve redirect by mailbox " + mailbox + " of " + id);
            log.info("MR3109 mailbox {}: Sieve redirected message id={} to <{}> as id={}", mailbox, id, to, newId);
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("MR3108 mailbox {}: Sieve redirect to <{}> of message id={} failed ({}); the copy is kept", mailbox, to, id,
                    e.toString());
            return false;
        }
    }

    private void vacation(String id, String mailbox, Expansion.Copy copy, SieveMail mail, SieveAction.Vacation v) {
        List<String> own = directory.get().flatMap(d -> d.mailbox(mailbox).map(d::addressesOf)).orElse(List.of(copy.deliveredTo()));
        Optional<String> refused = VacationReply.refusal(mail, v, own);
        if (refused.isPresent()) {
            log.debug("vacation reply of mailbox {} to message id={} not sent: {}", mailbox, id, refused.get());
            return;
        }
        String to = mail.envelopeSender();
        try {
            if (!vacations.shouldReply(mailbox, v.handle(), to, v.period(), clock.instant())) {
                return;
            }
            String messageId = "vacation." + id + "." + mailbox + "@" + hostname;
            byte[] reply = VacationReply.build(mail, v, copy.deliveredTo(), clock.instant().atZone(ZoneId.systemDefault()), messageId);
            String newId = sender.send(VacationReply.ENVELOPE_SENDER, to, new byte[0], MessageContent.of(reply),
                    "Sieve vacation reply of mailbox " + mailbox + " to " + id);
            log.info("MR3109 mailbox {}: vacation reply to <{}> sent as id={}", mailbox, to, newId);
        } catch (IOException | RuntimeException e) {
            log.warn("MR3108 mailbox {}: vacation reply to <{}> failed: {}", mailbox, to, e.toString());
        }
    }

    /** The message as Sieve sees it, read from the spool's content: headers parsed once, the body streamed on demand. */
    private static final class ContentMail implements SieveMail {
        private final String sender;
        private final String recipient;
        private final MessageContent content;
        private HeaderSection section;

        ContentMail(String sender, String recipient, MessageContent content) {
            this.sender = sender;
            this.recipient = recipient;
            this.content = content;
        }

        private HeaderSection section() {
            if (section == null) {
                try {
                    section = HeaderSection.parse(content);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return section;
        }

        @Override
        public String envelopeSender() {
            return sender;
        }

        @Override
        public String envelopeRecipient() {
            return recipient;
        }

        @Override
        public List<String> headers(String name) {
            return section().all(name).stream().map(String::strip).toList();
        }

        @Override
        public List<String> headerNames() {
            return section().names();
        }

        @Override
        public long size() {
            return content.size();
        }

        @Override
        public InputStream content() throws IOException {
            return content.open();
        }
    }
}
