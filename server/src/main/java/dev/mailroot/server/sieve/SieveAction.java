package dev.mailroot.server.sieve;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing a Sieve script decided for a message delivered to one mailbox. The delivery stage
 * carries them out; a {@link Decision} lists them in the order the script gave them.
 */
public sealed interface SieveAction {

    /** Store the message in the mailbox's inbox (explicit {@code keep}, or the implicit keep). */
    record Keep() implements SieveAction {
    }

    /**
     * Store the message in a folder of the mailbox ({@code fileinto}). The name is as the script
     * spelt it ({@code Work/Reports}); {@link MaildirFolders#directoryName} turns it into a folder
     * name on disk, or refuses it.
     */
    record FileInto(String folder) implements SieveAction {
        public FileInto {
            Objects.requireNonNull(folder, "folder");
        }
    }

    /** Send the message on, unchanged, to another address ({@code redirect}). */
    record Redirect(String address) implements SieveAction {
        public Redirect {
            Objects.requireNonNull(address, "address");
        }
    }

    /** Drop the message silently ({@code discard}); listed so the caller can log it. */
    record Discard() implements SieveAction {
    }

    /**
     * Answer the sender with an automatic reply (RFC 5230 {@code vacation}). Whether to answer this
     * sender now is the caller's to decide, with {@link VacationReply#refusal} and
     * {@link VacationMemory#shouldReply}; the reply itself is {@link VacationReply#build}.
     *
     * @param period    answer a sender at most once in this period ({@code :days}, at least 1 day, default 7)
     * @param subject   {@code :subject}, if given
     * @param from      {@code :from}, if given
     * @param addresses {@code :addresses}: further addresses of the mailbox's owner
     * @param reason    the reply text, or with {@code mime} a MIME entity (its own header fields, a blank line, a body)
     * @param handle    {@code :handle}, or one derived from subject, from, reason and mime when the script gave none
     *                  (RFC 5230 §4.2: changing the text starts a new period for every sender)
     * @param mime      whether {@code :mime} was given
     */
    record Vacation(Duration period, Optional<String> subject, Optional<String> from, List<String> addresses,
                    String reason, String handle, boolean mime) implements SieveAction {
        public Vacation {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(from, "from");
            addresses = List.copyOf(addresses);
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(handle, "handle");
        }
    }
}
