package dev.mailroot.filters;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network, {@code 192.0.2.0/24}, {@code 2001:db8::/32}, or one address (a whole
 * prefix). An IPv4 network never contains an IPv6 address and the other way round, except that
 * Java already reads {@code ::ffff:192.0.2.1} as the IPv4 address it maps.
 *
 * @param network the address bytes with the host bits cleared
 * @param prefix  the prefix length
 */
record Cidr(byte[] network, int prefix) {

    /**
     * Parses {@code address} or {@code address/prefix}; only literal addresses, never a name (no
     * DNS lookup happens here).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Cidr parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or network (192.0.2.0/24, 2001:db8::/32)");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + max);
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /** Whether {@code address} is in this network. */
    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    /** The bytes of an IPv4 dotted quad or an IPv6 literal, or null if it is neither (a name is neither). */
    private static byte[] literal(String s) {
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            byte[] b = new byte[4];
            String[] parts = s.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return b;
        }
        if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
            try {
                return InetAddress.getByName(s).getAddress(); // a literal: parsed, never looked up
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }
}
