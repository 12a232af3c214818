package dev.mailroot.server.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A transport map: routes from configuration instead of MX records. An entry maps a domain (or
 * {@code "*"}, any domain without its own entry) to {@code host:port} ({@code [2001:db8::1]:2525}
 * for an IPv6 literal; without a port, 25). Used for a smarthost ({@code "*" -> relay.isp.example:587})
 * and in tests. The host is resolved with the JDK's resolver at each {@link #route} call, one
 * target per address it has; immutable and thread-safe.
 */
public final class StaticRoutes implements MxResolver {
    private final Map<String, String> entries = new LinkedHashMap<>();

    /**
     * @param entries domain (case-insensitive) or {@code "*"} to {@code host[:port]}
     * @throws IllegalArgumentException when an entry is not {@code host[:port]}
     */
    public StaticRoutes(Map<String, String> entries) {
        entries.forEach((domain, hostPort) -> {
            parse(hostPort);
            this.entries.put(domain.toLowerCase(Locale.ROOT), hostPort);
        });
    }

    /**
     * The route of {@code domain}'s entry, else of {@code "*"}. A domain without either is a
     * temporary failure ({@code 451 4.4.4}): a gap in the configuration, which an administrator can
     * close before the mail expires. A host that does not resolve is a temporary failure too.
     */
    @Override
    public Route route(String domain) throws DnsFailure {
        String key = domain.toLowerCase(Locale.ROOT);
        String hostPort = entries.getOrDefault(key, entries.get("*"));
        if (hostPort == null) {
            throw new DnsFailure(SmtpReply.of(451, "4.4.4", domain + ": no route in the transport map"), null);
        }
        HostPort hp = parse(hostPort);
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(hp.host());
        } catch (UnknownHostException e) {
            throw DnsFailure.temporary(domain, "transport host " + hp.host() + " not found", e);
        }
        List<Target> targets = new ArrayList<>();
        for (InetAddress a : addresses) {
            targets.add(new Target(hp.host(), a, hp.port()));
        }
        return new Route(entries.containsKey(key) ? key : hostPort, targets);
    }

    /** A parsed {@code host[:port]}. */
    record HostPort(String host, int port) {
    }

    /** Parses {@code host}, {@code host:port}, {@code [literal]} or {@code [literal]:port}. */
    static HostPort parse(String hostPort) {
        String host = hostPort.trim();
        int port = 25;
        int colon = host.lastIndexOf(':');
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("not host:port: " + hostPort);
            }
            if (close + 1 < host.length()) {
                if (host.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("not host:port: " + hostPort);
                }
                port = port(host.substring(close + 2), hostPort);
            }
            host = host.substring(1, close);
        } else if (colon >= 0) {
            port = port(host.substring(colon + 1), hostPort);
            host = host.substring(0, colon);
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("not host:port: " + hostPort);
        }
        return new HostPort(host, port);
    }

    private static int port(String s, String whole) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("not a port in " + whole);
    }
}
