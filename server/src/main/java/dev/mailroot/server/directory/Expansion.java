package dev.mailroot.server.directory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one envelope recipient becomes at delivery, resolved through the directory in the documented
 * order: address → alias → group (each member in turn) → forwarding (with or without a copy) → the
 * mailboxes that store a copy. Each step is written into {@link #path()} for the message's trace.
 * Loops (a forwards to b, b forwards to a) end where they close, with a copy kept there; more than
 * {@value #MAX_DEPTH} steps deep is refused.
 *
 * @param copies the mailboxes that get a copy, each once
 * @param failed the addresses that cannot get one, with why
 * @param path   the resolution in words, step by step
 * @param remote addresses outside the local domains reached through groups and forwarding (sent by
 *               the outbound queue), each once
 */
public record Expansion(List<Copy> copies, List<Failed> failed, List<String> path, List<String> remote) {

    public Expansion(List<Copy> copies, List<Failed> failed, List<String> path) {
        this(copies, failed, path, List.of());
    }


    /** At most this many hops of groups and forwarding. */
    public static final int MAX_DEPTH = 10;

    /**
     * A copy for a mailbox.
     *
     * @param mailbox     the mailbox
     * @param deliveredTo the address its {@code Delivered-To:} field names
     * @param via         how the recipient led here ({@code sales@x → group sales}), empty if directly
     */
    public record Copy(Mailbox mailbox, String deliveredTo, String via) {
    }

    /**
     * An address that gets no copy.
     *
     * @param address   the address
     * @param reason    why
     * @param temporary whether trying later may help
     */
    public record Failed(String address, String reason, boolean temporary) {
    }


    /** Resolves {@code recipient} ({@code local@domain}, domain local) through {@code d}. */
    public static Expansion of(Directory d, String recipient) {
        String r = recipient.toLowerCase(Locale.ROOT);
        int at = r.lastIndexOf('@');
        String domain = at < 0 ? "" : r.substring(at + 1);
        Builder b = new Builder(d, domain);
        Optional<Directory.Target> t = at < 0 ? d.target(r, domain) : d.lookup(r.substring(0, at), domain);
        if (t.isEmpty()) {
            b.failed.add(new Failed(recipient, "no such mailbox, alias or group in the directory", false));
            b.path.add(recipient + ": unknown");
        } else {
            b.expand(t.get(), recipient, "", 0, new HashSet<>());
        }
        return new Expansion(List.copyOf(b.copies.values()), List.copyOf(b.failed), List.copyOf(b.path), List.copyOf(b.remote));
    }

    private static final class Builder {
        final Directory d;
        final String domain;
        final Map<String, Copy> copies = new LinkedHashMap<>();
        final List<Failed> failed = new ArrayList<>();
        final List<String> path = new ArrayList<>();
        final java.util.LinkedHashSet<String> remote = new java.util.LinkedHashSet<>();

        Builder(Directory d, String domain) {
            this.d = d;
            this.domain = domain;
        }

        void expand(Directory.Target t, String address, String via, int depth, Set<String> chain) {
            if (depth > MAX_DEPTH) {
                failed.add(new Failed(address, "more than " + MAX_DEPTH + " groups or forwardings deep (" + via + ")", false));
                path.add(via + ": hop limit");
                return;
            }
            String here = via.isEmpty() ? address : via;
            if (t instanceof Directory.GroupTarget g) {
                path.add(here + " → group " + g.name() + " " + g.members());
                for (String member : g.members()) {
                    entry(member, here + " → group " + g.name() + " → " + member, depth + 1, chain);
                }
                return;
            }
            Mailbox m = ((Directory.MailboxTarget) t).mailbox();
            if (!m.enabled()) {
                failed.add(new Failed(address, "mailbox " + m.name() + " is disabled", false));
                path.add(here + " → mailbox " + m.name() + " (disabled)");
                return;
            }
            if (chain.contains(m.name())) {
                path.add(here + " → mailbox " + m.name() + " (forwarding loop: the copy stays here)");
                keep(m, address, here);
                return;
            }
            if (!m.forwards()) {
                path.add(here + " → mailbox " + m.name());
                keep(m, address, here);
                return;
            }
            path.add(here + " → mailbox " + m.name() + " forwards to " + m.forwardTo()
                    + (m.keepCopy() ? " and keeps a copy" : " without keeping a copy"));
            if (m.keepCopy()) {
                keep(m, address, here);
            }
            Set<String> next = new HashSet<>(chain);
            next.add(m.name());
            for (String f : m.forwardTo()) {
                entry(f, here + " → forwarded by " + m.name() + " → " + f, depth + 1, next);
            }
        }

        void entry(String entry, String via, int depth, Set<String> chain) {
            int at = entry.lastIndexOf('@');
            if (at >= 0 && !d.isLocalDomain(entry.substring(at + 1))) {
                remote.add(entry);
                path.add(via + ": remote, sent by the outbound queue");
                return;
            }
            Optional<Directory.Target> t = d.target(entry, domain);
            if (t.isEmpty()) {
                failed.add(new Failed(entry, "no such mailbox, alias or group in the directory (" + via + ")", false));
                path.add(via + ": unknown");
                return;
            }
            expand(t.get(), entry, via, depth, chain);
        }

        void keep(Mailbox m, String address, String via) {
            String deliveredTo = address.indexOf('@') >= 0 ? address.toLowerCase(Locale.ROOT) : address + "@" + domain;
            copies.putIfAbsent(m.name(), new Copy(m, deliveredTo, via.equals(address) ? "" : via));
        }
    }
}
