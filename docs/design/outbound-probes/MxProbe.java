// Probe for docs/design/outbound.md §2.3: MX lookup with the JDK JNDI DNS provider against a local dnsmasq.
// Run: java MxProbe.java dns://127.0.0.1:5353 example.test nomx.test nxdomain.test
import java.util.*;
import javax.naming.*;
import javax.naming.directory.*;

public class MxProbe {
    public static void main(String[] a) throws Exception {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, a[0]);
        env.put("com.sun.jndi.dns.timeout.initial", "500");   // ms, first try
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        DirContext ctx = new InitialDirContext(env);
        for (int i = 1; i < a.length; i++) {
            String d = a[i];
            try {
                Attributes at = ctx.getAttributes(d, new String[] {"MX"});
                Attribute mx = at.get("MX");
                if (mx == null) {
                    Attribute aRec = ctx.getAttributes(d, new String[] {"A"}).get("A");
                    System.out.println(d + ": no MX -> implicit MX (RFC 5321 5.1), A = " + aRec);
                    continue;
                }
                List<String> l = new ArrayList<>();
                for (NamingEnumeration<?> e = mx.getAll(); e.hasMore();) l.add((String) e.next());
                l.sort(Comparator.comparingInt(s -> Integer.parseInt(s.split(" ")[0])));
                System.out.println(d + ": MX " + l);
                for (String s : l) {
                    String host = s.split(" ")[1];
                    System.out.println("   " + host + " A = " + ctx.getAttributes(host, new String[] {"A"}).get("A"));
                }
            } catch (NameNotFoundException e) {
                System.out.println(d + ": " + e.getClass().getSimpleName() + " (NXDOMAIN): " + e.getMessage());
            } catch (NamingException e) {
                System.out.println(d + ": " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }
}
