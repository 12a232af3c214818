package dev.mailroot.server.directory;

import java.util.List;

/**
 * One mailbox of the directory ({@code conf/mailboxes.yaml}). Its folder is
 * {@code mailroot/mailboxes/<name>/Maildir}.
 *
 * @param name         the mailbox name: a safe local part, lower case; its folder's name
 * @param displayName  a display name, or null
 * @param domains      the local domains where {@code name} is an address; empty: every local domain
 * @param aliases      more addresses: a bare local part (at each of {@code domains}) or a full
 *                     address in a local domain
 * @param quota        its limits, or {@link Quota#NONE}
 * @param forwardTo    where its mail is forwarded (mailbox names, local or remote addresses); empty: none
 * @param keepCopy     with forwarding: whether the mailbox keeps a copy too
 * @param enabled      a disabled mailbox refuses mail ({@code 550 5.2.1})
 * @param passwordHash a bcrypt hash for authentication ({@code $2a$...}), or null
 * @param sendAs       sender addresses an authenticated user of this mailbox may use besides its own
 *                     (full addresses, or {@code @domain} for any address there), lower case; empty: none
 */
public record Mailbox(String name, String displayName, List<String> domains, List<String> aliases, Quota quota,
                      List<String> forwardTo, boolean keepCopy, boolean enabled, String passwordHash, List<String> sendAs) {
    public Mailbox {
        domains = List.copyOf(domains);
        aliases = List.copyOf(aliases);
        forwardTo = List.copyOf(forwardTo);
        quota = quota == null ? Quota.NONE : quota;
        sendAs = sendAs == null ? List.of() : List.copyOf(sendAs);
    }

    /** A mailbox without {@code sendAs} addresses. */
    public Mailbox(String name, String displayName, List<String> domains, List<String> aliases, Quota quota,
                   List<String> forwardTo, boolean keepCopy, boolean enabled, String passwordHash) {
        this(name, displayName, domains, aliases, quota, forwardTo, keepCopy, enabled, passwordHash, List.of());
    }

    /** A new mailbox with nothing but a name: every local domain, no alias, no quota, enabled. */
    public static Mailbox named(String name) {
        return new Mailbox(name, null, List.of(), List.of(), Quota.NONE, List.of(), false, true, null, List.of());
    }

    /** Whether its mail is forwarded. */
    public boolean forwards() {
        return !forwardTo.isEmpty();
    }

    public Mailbox withQuota(Quota q) {
        return new Mailbox(name, displayName, domains, aliases, q, forwardTo, keepCopy, enabled, passwordHash, sendAs);
    }

    public Mailbox withForwarding(List<String> to, boolean copy) {
        return new Mailbox(name, displayName, domains, aliases, quota, to, copy, enabled, passwordHash, sendAs);
    }

    public Mailbox withAliases(List<String> a) {
        return new Mailbox(name, displayName, domains, a, quota, forwardTo, keepCopy, enabled, passwordHash, sendAs);
    }

    public Mailbox withEnabled(boolean e) {
        return new Mailbox(name, displayName, domains, aliases, quota, forwardTo, keepCopy, e, passwordHash, sendAs);
    }

    public Mailbox withDisplayName(String d) {
        return new Mailbox(name, d, domains, aliases, quota, forwardTo, keepCopy, enabled, passwordHash, sendAs);
    }

    public Mailbox withPasswordHash(String h) {
        return new Mailbox(name, displayName, domains, aliases, quota, forwardTo, keepCopy, enabled, h, sendAs);
    }

    public Mailbox withSendAs(List<String> s) {
        return new Mailbox(name, displayName, domains, aliases, quota, forwardTo, keepCopy, enabled, passwordHash, s);
    }

    public Mailbox withDomains(List<String> d) {
        return new Mailbox(name, displayName, d, aliases, quota, forwardTo, keepCopy, enabled, passwordHash, sendAs);
    }
}
