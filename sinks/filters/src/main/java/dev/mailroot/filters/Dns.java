package dev.mailroot.filters;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

/**
 * DNS queries through the JDK's own JNDI provider (no library): one server, or the system's
 * resolvers. A name that does not exist (NXDOMAIN) or has no record of the type is an empty answer;
 * anything else that is not an answer (REFUSED, SERVFAIL, no reply in time, nothing listening) is
 * an {@link IOException}. JNDI keeps no cache: every call asks the server.
 */
final class Dns {
    private final String url;
    private final Duration timeout;

    /** @param server the server to ask; empty: the system's resolvers ({@code /etc/resolv.conf}) */
    Dns(Optional<InetSocketAddress> server, Duration timeout) {
        this.url = server.map(s -> "dns://" + (s.getHostString().contains(":") ? "[" + s.getHostString() + "]" : s.getHostString())
                + ":" + s.getPort()).orElse("dns:");
        this.timeout = timeout;
    }

    /** The {@code A} records of {@code name} (dotted quads); empty if there are none. */
    List<String> a(String name) throws IOException {
        return query(name, "A");
    }

    /** The {@code TXT} records of {@code name}, without their quotes; empty if there are none. */
    List<String> txt(String name) throws IOException {
        List<String> out = new ArrayList<>();
        for (String t : query(name, "TXT")) {
            out.add(t.length() > 1 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t);
        }
        return out;
    }

    private List<String> query(String name, String type) throws IOException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, url);
        // one try per server, for the whole time allowed: the caller's deadline is what counts
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(1, timeout.toMillis())));
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        DirContext ctx = null;
        try {
            ctx = new InitialDirContext(env); // not thread-safe: one per query (cheap once the provider is loaded)
            Attribute records = ctx.getAttributes(name.endsWith(".") ? name : name + ".", new String[]{type}).get(type);
            List<String> out = new ArrayList<>();
            for (int i = 0; records != null && i < records.size(); i++) {
                out.add(String.valueOf(records.get(i)));
            }
            return out;
        } catch (NameNotFoundException e) {
            return List.of();
        } catch (NamingException e) {
            throw new IOException("DNS query " + name + " " + type + " at " + (url.equals("dns:") ? "the system's resolver" : url)
                    + " failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } finally {
            if (ctx != null) {
                try {
                    ctx.close();
                } catch (NamingException ignored) {
                    // nothing held open
                }
            }
        }
    }
}
