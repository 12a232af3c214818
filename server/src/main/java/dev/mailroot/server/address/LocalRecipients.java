package dev.mailroot.server.address;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides what a recipient address means here: a local mailbox, a foreign domain (refused: Mailroot
 * is never an open relay), a local part that must not become a folder name, or an unknown mailbox.
 * Used at RCPT time to answer the SMTP client and again at delivery for recipients that sinks or
 * pickup files introduced. Thread-safe.
 */
public final class LocalRecipients {

    /** RFC 5322 atext symbols except '/', which would make a path; anything else is refused. */
    private static final String ATEXT_SYMBOLS = "!#$%&'*+-=?^_`{|}~";

    private final Set<String> domains;
    private final String primaryDomain;
    private final Path mailboxesRoot;
    private final boolean autoCreate;
    private final java.util.function.Supplier<java.util.Optional<dev.mailroot.server.directory.Directory>> directory;

    /**
     * @param domains       the local domains; the first is where {@code postmaster} without a domain goes
     * @param mailboxesRoot {@code mailroot/mailboxes}
     * @param autoCreate    whether a mailbox that does not exist yet is created on first delivery
     */
    public LocalRecipients(List<String> domains, Path mailboxesRoot, boolean autoCreate) {
        this(domains, mailboxesRoot, autoCreate, java.util.Optional::empty);
    }

    /**
     * @param directory the mailbox directory in force; empty when there is none (then every safe
     *                  local part is a mailbox, created or not as {@code autoCreate} says)
     */
    public LocalRecipients(List<String> domains, Path mailboxesRoot, boolean autoCreate,
                           java.util.function.Supplier<java.util.Optional<dev.mailroot.server.directory.Directory>> directory) {
        this.directory = directory;
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("at least one local domain is needed");
        }
        this.domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.primaryDomain = domains.get(0).toLowerCase(Locale.ROOT);
        this.mailboxesRoot = mailboxesRoot.toAbsolutePath().normalize();
        this.autoCreate = autoCreate;
    }

    public String primaryDomain() {
        return primaryDomain;
    }

    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    /**
     * The verdict for {@code address} without consulting the directory: a local domain and a safe
     * local part are enough. For mail a connector hands over, whose recipients are the connector's own
     * addresses ({@code mspop3connector.<mailbox>@...}) that its OnSubmission sink maps to mailboxes:
     * the directory judges the mapped address at delivery.
     */
    public RecipientVerdict checkLocalPart(String address) {
        MailAddress a = MailAddress.parse(address);
        if (!a.hasDomain()) {
            return check(address);
        }
        if (!domains.contains(a.domain())) {
            return new RecipientVerdict(RecipientVerdict.Kind.NOT_LOCAL, null, a.toString());
        }
        if (!isSafeMailboxName(a.localPart())) {
            return new RecipientVerdict(RecipientVerdict.Kind.BAD_MAILBOX_NAME, null, a.toString());
        }
        String mailbox = a.localPart().toLowerCase(Locale.ROOT);
        return new RecipientVerdict(RecipientVerdict.Kind.LOCAL, mailbox, mailbox + "@" + a.domain());
    }

    /** The verdict for {@code address} (without angle brackets). */
    public RecipientVerdict check(String address) {
        MailAddress a = MailAddress.parse(address);
        if (!a.hasDomain()) {
            // RFC 5321 §4.5.1: "postmaster" without a domain must be accepted
            if (a.localPart().equalsIgnoreCase("postmaster")) {
                return new RecipientVerdict(RecipientVerdict.Kind.LOCAL, "postmaster", "postmaster@" + primaryDomain);
            }
            return new RecipientVerdict(RecipientVerdict.Kind.BAD_MAILBOX_NAME, null, address);
        }
        if (!domains.contains(a.domain())) {
            return new RecipientVerdict(RecipientVerdict.Kind.NOT_LOCAL, null, a.toString());
        }
        if (!isSafeMailboxName(a.localPart())) {
            return new RecipientVerdict(RecipientVerdict.Kind.BAD_MAILBOX_NAME, null, a.toString());
        }
        java.util.Optional<dev.mailroot.server.directory.Directory> dir = directory.get();
        if (dir.isPresent()) {
            // a directory names every deliverable address: nothing else is a mailbox
            var target = dir.get().lookup(a.localPart(), a.domain());
            if (target.isEmpty()) {
                return new RecipientVerdict(RecipientVerdict.Kind.UNKNOWN_MAILBOX, null, a.toString());
            }
            if (target.get() instanceof dev.mailroot.server.directory.Directory.MailboxTarget mt) {
                if (!mt.mailbox().enabled()) {
                    return new RecipientVerdict(RecipientVerdict.Kind.DISABLED, mt.mailbox().name(), a.toString());
                }
                return new RecipientVerdict(RecipientVerdict.Kind.LOCAL, mt.mailbox().name(),
                        a.localPart().toLowerCase(Locale.ROOT) + "@" + a.domain());
            }
            return new RecipientVerdict(RecipientVerdict.Kind.LOCAL, null, a.localPart().toLowerCase(Locale.ROOT) + "@" + a.domain());
        }
        String mailbox = a.localPart().toLowerCase(Locale.ROOT);
        if (!autoCreate && !Files.isDirectory(maildirOf(mailbox))) {
            return new RecipientVerdict(RecipientVerdict.Kind.UNKNOWN_MAILBOX, mailbox, a.toString());
        }
        return new RecipientVerdict(RecipientVerdict.Kind.LOCAL, mailbox, mailbox + "@" + a.domain());
    }

    /**
     * Whether a local recipient is a known mailbox: {@code postmaster}, or one whose Maildir exists
     * (with {@code mailboxes.autoCreate: true} other local parts are accepted and made on first
     * delivery; they are not known).
     */
    public boolean isKnown(RecipientVerdict verdict) {
        if (!verdict.isLocal()) {
            return false;
        }
        if (directory.get().isPresent()) {
            return true; // the directory named it
        }
        if (verdict.mailbox() == null) {
            return false;
        }
        return verdict.mailbox().equals("postmaster") || Files.isDirectory(maildirOf(verdict.mailbox()));
    }

    /** The mailbox directory in force, if there is one. */
    public java.util.Optional<dev.mailroot.server.directory.Directory> directory() {
        return directory.get();
    }

    /**
     * Whether the mailbox {@code verdict} names is at or over its quota now (a directory mailbox
     * with a limit, that stores its mail itself); false otherwise. SMTP answers such a recipient
     * {@code 452 4.2.2} at RCPT; spooled mail waits.
     */
    public boolean full(RecipientVerdict verdict) {
        if (!verdict.isLocal() || verdict.mailbox() == null) {
            return false;
        }
        var mailbox = directory.get().flatMap(d -> d.mailbox(verdict.mailbox())).orElse(null);
        if (mailbox == null || !mailbox.quota().limited() || mailbox.forwards() && !mailbox.keepCopy()) {
            return false;
        }
        try {
            var u = dev.mailroot.server.directory.MaildirQuota.usage(maildirOf(mailbox.name()), mailbox.quota());
            return mailbox.quota().full(u.bytes(), u.messages());
        } catch (java.io.IOException | RuntimeException e) {
            return false; // the delivery will say what is wrong with the folder
        }
    }

    /** The Maildir of a mailbox whose name passed {@link #isSafeMailboxName(String)}. */
    public Path maildirOf(String mailbox) {
        Path dir = mailboxesRoot.resolve(mailbox).normalize();
        if (!dir.getParent().equals(mailboxesRoot)) {
            throw new IllegalArgumentException("mailbox name escapes the mailbox folder: " + mailbox);
        }
        return dir.resolve("Maildir");
    }

    /**
     * Whether a local part can be a folder name under {@code mailboxes/}: a dot-atom of RFC 5322
     * atext, at most 64 characters, with no leading, trailing or double dot, and none of
     * {@code / \ NUL} or control characters.
     */
    public static boolean isSafeMailboxName(String localPart) {
        if (localPart.isEmpty() || localPart.length() > 64) {
            return false;
        }
        if (localPart.startsWith(".") || localPart.endsWith(".") || localPart.contains("..")) {
            return false;
        }
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || ATEXT_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
