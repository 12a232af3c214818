package dev.mailroot.server.smtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * An IP network written as {@code 192.0.2.0/24}, {@code 2001:db8::/32} or a single address: an entry
 * of {@code relay.trustedNetworks}. Addresses only, never host names (no DNS lookup).
 *
 * @param base   the network's address
 * @param prefix how many leading bits must match
 */
public record Network(InetAddress base, int prefix) {

    /**
     * Reads one entry.
     *
     * @throws IllegalArgumentException with a message fit for a configuration error
     */
    public static Network parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an entry is empty");
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (!addr.matches("[0-9.]+|[0-9a-f:.]*:[0-9a-f:.]*")) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or network (192.0.2.0/24, 2001:db8::/32)");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or network (192.0.2.0/24, 2001:db8::/32)");
        }
        int bits = a.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + bits);
            }
        }
        return new Network(a, prefix);
    }

    /** Whether {@code address} is in this network (an IPv4 address is never in an IPv6 network). */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] a = address.getAddress();
        byte[] b = base.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    @Override
    public String toString() {
        return base.getHostAddress() + "/" + prefix;
    }
}
