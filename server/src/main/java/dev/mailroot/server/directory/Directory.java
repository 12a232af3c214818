package dev.mailroot.server.directory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The mailbox directory as read from {@code conf/mailboxes.yaml}: mailboxes, distribution groups and
 * catch-alls, with an index from every address to what it names. Immutable; thread-safe.
 *
 * <p>An address {@code local@domain} (domain local) names, in this order: a mailbox or alias written
 * with that exact domain; then a mailbox name, alias or group name written as a bare local part
 * (valid at every local domain, or at the mailbox's {@code domains}); then the domain's catch-all;
 * {@code postmaster} at any local domain is always deliverable (RFC 5321 §4.5.1): to the mailbox or
 * alias of that name if there is one, else to the mailbox {@code postmaster}.
 */
public final class Directory {

    /** What an address names. */
    public sealed interface Target permits MailboxTarget, GroupTarget {
    }

    /** A mailbox. */
    public record MailboxTarget(Mailbox mailbox) implements Target {
    }

    /**
     * A distribution group.
     *
     * @param name    its name
     * @param members mailbox names or addresses (local or remote)
     */
    public record GroupTarget(String name, List<String> members) implements Target {
    }

    private final Map<String, Mailbox> mailboxes;
    private final Map<String, List<String>> groups;
    private final Map<String, String> catchAll;
    private final List<String> localDomains;
    /** "local@domain" and "local" (any domain, filtered by the mailbox's domains) to a target. */
    private final Map<String, Target> exact = new LinkedHashMap<>();
    private final Map<String, List<Target>> bare = new LinkedHashMap<>();

    Directory(Map<String, Mailbox> mailboxes, Map<String, List<String>> groups, Map<String, String> catchAll,
              List<String> localDomains) {
        this.mailboxes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mailboxes));
        this.groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        this.catchAll = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(catchAll));
        this.localDomains = List.copyOf(localDomains);
        for (Mailbox m : mailboxes.values()) {
            Target t = new MailboxTarget(m);
            index(m.name(), m.domains(), t);
            for (String a : m.aliases()) {
                index(a, m.domains(), t);
            }
        }
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            index(g.getKey(), List.of(), new GroupTarget(g.getKey(), g.getValue()));
        }
    }

    private void index(String address, List<String> domains, Target t) {
        String a = address.toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            exact.put(a, t);
        } else if (domains.isEmpty()) {
            bare.computeIfAbsent(a, k -> new ArrayList<>()).add(t);
        } else {
            for (String d : domains) {
                exact.put(a + "@" + d.toLowerCase(Locale.ROOT), t);
            }
        }
    }

    /** An empty directory (a file with no mailbox: only postmaster is deliverable). */
    public static Directory empty(List<String> localDomains) {
        return new Directory(Map.of(), Map.of(), Map.of(), localDomains);
    }

    public Map<String, Mailbox> mailboxes() {
        return mailboxes;
    }

    public Optional<Mailbox> mailbox(String name) {
        return Optional.ofNullable(mailboxes.get(name.toLowerCase(Locale.ROOT)));
    }

    public Map<String, List<String>> groups() {
        return groups;
    }

    public Map<String, String> catchAll() {
        return catchAll;
    }

    public List<String> localDomains() {
        return localDomains;
    }

    /**
     * What {@code localPart@domain} names (the domain must be local; both compared without case);
     * empty if nothing (the caller refuses it, {@code 550 5.1.1}).
     */
    public Optional<Target> lookup(String localPart, String domain) {
        String l = localPart.toLowerCase(Locale.ROOT);
        String d = domain.toLowerCase(Locale.ROOT);
        Target t = exact.get(l + "@" + d);
        if (t != null) {
            return Optional.of(t);
        }
        List<Target> any = bare.get(l);
        if (any != null && !any.isEmpty()) {
            return Optional.of(any.get(0));
        }
        String c = catchAll.get(d);
        if (c != null) {
            return target(c, d);
        }
        if (l.equals("postmaster")) {
            return Optional.of(new MailboxTarget(mailboxes.getOrDefault("postmaster", Mailbox.named("postmaster"))));
        }
        return Optional.empty();
    }

    /** What a member or forwarding entry written without a domain (a mailbox or group name) or with a local domain names. */
    public Optional<Target> target(String entry, String defaultDomain) {
        String e = entry.toLowerCase(Locale.ROOT);
        int at = e.lastIndexOf('@');
        if (at < 0) {
            Mailbox m = mailboxes.get(e);
            if (m != null) {
                return Optional.of(new MailboxTarget(m));
            }
            List<String> g = groups.get(e);
            if (g != null) {
                return Optional.of(new GroupTarget(e, g));
            }
            return lookup(e, defaultDomain);
        }
        return lookup(e.substring(0, at), e.substring(at + 1));
    }

    /** Whether {@code domain} is one of the server's local domains. */
    public boolean isLocalDomain(String domain) {
        return localDomains.stream().anyMatch(d -> d.equalsIgnoreCase(domain));
    }

    /** The addresses of mailbox {@code m}: its name and aliases at its domains (or every local domain). */
    public List<String> addressesOf(Mailbox m) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        Collection<String> doms = m.domains().isEmpty() ? localDomains : m.domains();
        for (String a : concat(m.name(), m.aliases())) {
            if (a.indexOf('@') >= 0) {
                out.add(a);
            } else {
                for (String d : doms) {
                    out.add(a + "@" + d);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The groups that list {@code mailbox} (by name or by one of its addresses). */
    public List<String> groupsOf(Mailbox m) {
        List<String> addresses = addressesOf(m).stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            for (String member : g.getValue()) {
                String mm = member.toLowerCase(Locale.ROOT);
                if (mm.equals(m.name()) || addresses.contains(mm)) {
                    out.add(g.getKey());
                    break;
                }
            }
        }
        return out;
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> out = new ArrayList<>(rest.size() + 1);
        out.add(first);
        out.addAll(rest);
        return out;
    }
}
