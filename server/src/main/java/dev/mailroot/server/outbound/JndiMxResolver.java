package dev.mailroot.server.outbound;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * MX lookup (RFC 5321 §5.1) with the JDK's JNDI DNS provider: MX hosts by preference, in random
 * order within one preference (spreading load as RFC 5321 asks), each host's IPv4 then IPv6
 * addresses as targets; without MX records the domain's own addresses (the implicit MX). An
 * address literal ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}) is its own target.
 *
 * <p>Failures: {@code NXDOMAIN} → {@code 550 5.1.2} and a null MX ({@code 0 .}, RFC 7505) →
 * {@code 556 5.1.10}, both permanent; a domain that exists with neither MX nor address → {@code 550
 * 5.4.4} permanent; a timeout, {@code SERVFAIL}, {@code REFUSED} or no server → {@code 451 4.4.3}
 * temporary. An MX host without an address is skipped; when every one is, the failure is
 * temporary (it is the receiving side's DNS being broken, which usually gets fixed).
 *
 * <p>Thread-safe: each lookup uses its own JNDI context. The JNDI provider gives no TTLs and
 * follows no CNAME for address lookups; a lookup of an MX host that is a CNAME finds no address.
 */
public final class JndiMxResolver implements MxResolver {
    private final Hashtable<String, String> environment = new Hashtable<>();
    private final int port;
    private final Random random;

    /**
     * @param dnsUrl  the DNS server, {@code dns://127.0.0.1:5353}, or {@code null} for the
     *                system's resolvers ({@code /etc/resolv.conf})
     * @param timeout the longest wait for one query (split over a first try and one retry)
     * @param port    the port of the targets: 25 in production, a test port in tests
     */
    public JndiMxResolver(String dnsUrl, Duration timeout, int port) {
        this(dnsUrl, timeout, port, new Random());
    }

    /** As above, with the random source that orders MX hosts of equal preference (seeded in tests). */
    JndiMxResolver(String dnsUrl, Duration timeout, int port, Random random) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        environment.put(Context.PROVIDER_URL, dnsUrl == null ? "dns:" : dnsUrl);
        // the provider waits initial, then 2 x initial: the whole budget is 3 x initial
        environment.put("com.sun.jndi.dns.timeout.initial", String.valueOf(Math.max(1, timeout.toMillis() / 3)));
        environment.put("com.sun.jndi.dns.timeout.retries", "2");
        this.port = port;
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public Route route(String domain) throws DnsFailure {
        Objects.requireNonNull(domain, "domain");
        if (domain.startsWith("[") && domain.endsWith("]")) {
            return new Route(domain, List.of(literal(domain)));
        }
        String name = ascii(domain);
        DirContext dns = context(name);
        try {
            Attribute mx = lookup(dns, name, "MX", true).get("MX");
            if (mx == null) {
                List<Target> implicit = addresses(dns, name, name);
                if (implicit.isEmpty()) {
                    throw new DnsFailure(SmtpReply.of(550, "5.4.4", domain + ": domain has no MX and no address record"), null);
                }
                return new Route(domain, implicit);
            }
            List<String> hosts = byPreference(domain, mx);
            List<Target> targets = new ArrayList<>();
            List<String> without = new ArrayList<>();
            for (String host : hosts) {
                try {
                    List<Target> found = addresses(dns, host, host);
                    if (found.isEmpty()) {
                        without.add(host + " (no address)");
                    }
                    targets.addAll(found);
                } catch (DnsFailure f) {
                    without.add(host + " (" + (f.permanent() ? "does not exist" : "lookup failed") + ")");
                }
            }
            if (targets.isEmpty()) {
                throw DnsFailure.temporary(domain, "no MX host has an address: " + String.join(", ", without), null);
            }
            return new Route(domain, targets);
        } finally {
            close(dns);
        }
    }

    /** MX host names by preference, shuffled within a preference; a null MX alone is a permanent failure. */
    private List<String> byPreference(String domain, Attribute mx) throws DnsFailure {
        TreeMap<Integer, List<String>> groups = new TreeMap<>();
        int records = 0;
        boolean nullMx = false;
        try {
            NamingEnumeration<?> values = mx.getAll();
            while (values.hasMore()) {
                String[] parts = String.valueOf(values.next()).trim().split("\\s+");
                records++;
                if (parts.length != 2 || !parts[0].matches("\\d{1,5}")) {
                    continue;
                }
                String host = parts[1].endsWith(".") ? parts[1].substring(0, parts[1].length() - 1) : parts[1];
                if (host.isEmpty()) {
                    nullMx = true;
                    continue;
                }
                groups.computeIfAbsent(Integer.parseInt(parts[0]), p -> new ArrayList<>()).add(host.toLowerCase(Locale.ROOT));
            }
        } catch (NamingException e) {
            throw DnsFailure.temporary(domain, "cannot read the MX records: " + e.getMessage(), e);
        }
        if (nullMx && records == 1) {
            throw DnsFailure.nullMx(domain);
        }
        if (groups.isEmpty()) {
            throw DnsFailure.temporary(domain, "no usable MX record", null);
        }
        List<String> hosts = new ArrayList<>();
        for (List<String> group : groups.values()) {
            Collections.shuffle(group, random);
            hosts.addAll(group);
        }
        return hosts;
    }

    /** The A then AAAA addresses of {@code name} as targets named {@code host}; empty when it has none. */
    private List<Target> addresses(DirContext dns, String name, String host) throws DnsFailure {
        Attributes attributes = lookup(dns, name, "A", false);
        Attributes v6 = lookup(dns, name, "AAAA", false);
        List<Target> targets = new ArrayList<>();
        for (Attribute a : new Attribute[] {attributes.get("A"), v6.get("AAAA")}) {
            if (a == null) {
                continue;
            }
            try {
                NamingEnumeration<?> values = a.getAll();
                while (values.hasMore()) {
                    String ip = String.valueOf(values.next()).trim();
                    targets.add(new Target(host, InetAddress.getByAddress(host, InetAddress.getByName(ip).getAddress()), port));
                }
            } catch (NamingException | UnknownHostException e) {
                throw DnsFailure.temporary(name, "cannot read an address record: " + e.getMessage(), e);
            }
        }
        targets.sort(Comparator.comparingInt(t -> t.address().getAddress().length));
        return targets;
    }

    private Attributes lookup(DirContext dns, String name, String type, boolean domainQuery) throws DnsFailure {
        try {
            return dns.getAttributes(name, new String[] {type});
        } catch (NameNotFoundException e) {
            throw DnsFailure.noSuchDomain(name, e);
        } catch (NamingException e) {
            throw DnsFailure.temporary(name, (domainQuery ? "" : type + " ") + "DNS lookup failed: " + describe(e), e);
        }
    }

    private DirContext context(String domain) throws DnsFailure {
        try {
            return new InitialDirContext(environment);
        } catch (NamingException e) {
            throw DnsFailure.temporary(domain, "no DNS resolver: " + describe(e), e);
        }
    }

    private static void close(DirContext dns) {
        try {
            dns.close();
        } catch (NamingException e) {
            // nothing held open that matters
        }
    }

    private Target literal(String domain) throws DnsFailure {
        String inner = domain.substring(1, domain.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            inner = inner.substring(5);
        }
        if (!inner.matches("[0-9.]+|[0-9A-Fa-f:.]+") || inner.isEmpty()) {
            throw new DnsFailure(SmtpReply.of(550, "5.1.2", domain + ": not an address literal"), null);
        }
        try {
            return new Target(inner, InetAddress.getByName(inner), port);
        } catch (UnknownHostException e) {
            throw new DnsFailure(SmtpReply.of(550, "5.1.2", domain + ": not an address literal"), e);
        }
    }

    private static String ascii(String domain) throws DnsFailure {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        try {
            return IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new DnsFailure(SmtpReply.of(550, "5.1.2", domain + ": not a valid domain name"), e);
        }
    }

    private static String describe(NamingException e) {
        String m = e.getExplanation() != null ? e.getExplanation() : e.getClass().getSimpleName();
        Throwable cause = e.getRootCause();
        return cause != null && cause.getMessage() != null ? m + " (" + cause.getMessage() + ")" : m;
    }
}
