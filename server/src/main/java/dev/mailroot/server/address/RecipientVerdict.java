package dev.mailroot.server.address;

/**
 * What Mailroot can do with one recipient address.
 *
 * @param kind    the verdict
 * @param mailbox the local mailbox name, for {@link Kind#LOCAL}; null when the address names a
 *                directory group (expanded at delivery)
 * @param address the address as it will be delivered to (domain lower case)
 */
public record RecipientVerdict(Kind kind, String mailbox, String address) {

    /** The possible verdicts, each with the SMTP reply that refuses it. */
    public enum Kind {
        /** A mailbox in a local domain. */
        LOCAL(250, "2.1.5", "Ok"),
        /** A domain that is not local, and Mailroot does not relay. */
        NOT_LOCAL(550, "5.7.1", "Relay access denied"),
        /** A local part that cannot be a mailbox name (would escape the mailbox folder, or is not an atom). */
        BAD_MAILBOX_NAME(553, "5.1.3", "Bad recipient address syntax"),
        /** A well-formed mailbox that does not exist while mailboxes are not created automatically. */
        UNKNOWN_MAILBOX(550, "5.1.1", "Recipient address rejected: User unknown in local recipient table"),
        /** A mailbox of the directory that is disabled. */
        DISABLED(550, "5.2.1", "Mailbox disabled, not accepting messages");

        private final int code;
        private final String enhanced;
        private final String text;

        Kind(int code, String enhanced, String text) {
            this.code = code;
            this.enhanced = enhanced;
            this.text = text;
        }

        public int code() {
            return code;
        }

        /** The SMTP reply text after the code: enhanced status code, then the address and the reason. */
        public String replyText(String address) {
            return enhanced + " <" + address + ">: " + text;
        }

        /** The reason in words, for logs and badmail reason files. */
        public String reason() {
            return text.toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean isLocal() {
        return kind == Kind.LOCAL;
    }
}
