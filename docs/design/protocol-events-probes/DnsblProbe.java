// Probe for docs/design/protocol-events.md §3 (issue 13): not part of the build.
import javax.naming.*;
import javax.naming.directory.*;
import java.util.*;

public class DnsblProbe {
    public static void main(String[] a) throws Exception {
        String port = a[0];
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + port);
        env.put("com.sun.jndi.dns.timeout.initial", "500"); // ms
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        DirContext ctx = new InitialDirContext(env);
        for (String name : new String[]{"2.0.0.127.zen.test.", "9.2.0.192.zen.test.", "2.0.0.127.zen.test.", "9.2.0.192.zen.test."}) {
            long t0 = System.nanoTime();
            String r;
            try {
                Attributes at = ctx.getAttributes(name, new String[]{"A"});
                Attribute x = at.get("A");
                r = "HIT A=" + (x == null ? "(none)" : x.get());
            } catch (NameNotFoundException e) {
                r = "MISS (NXDOMAIN: " + e.getClass().getSimpleName() + ")";
            }
            System.out.printf("%-22s %-40s %.3f ms%n", name, r, (System.nanoTime() - t0) / 1e6);
        }
        // TXT
        System.out.println("TXT: " + ctx.getAttributes("2.0.0.127.zen.test.", new String[]{"TXT"}).get("TXT"));
        // latency: 1000 hits + 1000 misses, alternating distinct names to defeat any JNDI cache (there is none)
        int n = 1000; long t0 = System.nanoTime(); int hits = 0;
        for (int i = 0; i < n; i++) {
            try { ctx.getAttributes("2.0.0.127.zen.test.", new String[]{"A"}); hits++; } catch (NameNotFoundException e) {}
            try { ctx.getAttributes(i + ".2.0.192.zen.test.", new String[]{"A"}); } catch (NameNotFoundException e) {}
        }
        System.out.printf("%d lookups (%d hits): mean %.3f ms%n", 2 * n, hits, (System.nanoTime() - t0) / 1e6 / (2 * n));
        // unreachable server: time to fail
        env.put(Context.PROVIDER_URL, "dns://127.0.0.1:9");
        DirContext dead = new InitialDirContext(env);
        t0 = System.nanoTime();
        try { dead.getAttributes("2.0.0.127.zen.test.", new String[]{"A"}); } catch (NamingException e) {
            System.out.printf("dead server: %s after %.0f ms%n", e.getClass().getSimpleName() + ": " + e.getMessage(), (System.nanoTime() - t0) / 1e6);
        }
        // REFUSED (name outside the local zone)
        try { ctx.getAttributes("example.org.", new String[]{"A"}); } catch (NamingException e) {
            System.out.println("outside zone: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
