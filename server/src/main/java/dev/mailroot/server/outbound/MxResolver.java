package dev.mailroot.server.outbound;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Finds where mail for a domain goes: the hosts to try, in order. {@link JndiMxResolver} asks DNS
 * for MX records (RFC 5321 §5.1); {@link StaticRoutes} is a transport map (tests, a smarthost).
 * Implementations are thread-safe; a call may block for the resolver's time limit.
 */
public interface MxResolver {

    /**
     * The route to {@code domain} (a domain name, or an address literal such as
     * {@code [192.0.2.1]}).
     *
     * @throws DnsFailure when there is no route; {@link DnsFailure#permanent()} says whether to
     *                    give up on the recipients or try again later
     */
    Route route(String domain) throws DnsFailure;

    /**
     * Where a domain's mail goes.
     *
     * @param destination what the route was asked for (the domain), or the transport map's entry
     *                    (a smarthost {@code host:port}); the queue groups deliveries by it
     * @param targets     the connections to try, in order, at least one
     */
    record Route(String destination, List<Target> targets) {
        /** Copies the targets; there must be at least one. */
        public Route {
            Objects.requireNonNull(destination, "destination");
            targets = List.copyOf(targets);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("a route needs at least one target");
            }
        }
    }

    /**
     * One connection to try.
     *
     * @param host    the host name (an MX host, a smarthost, or the address itself as text); the
     *                name TLS verification checks and the transcript shows
     * @param address the address to connect to, or {@code null} to resolve {@code host} at connect
     * @param port    the TCP port (25 in production)
     */
    record Target(String host, InetAddress address, int port) {
        /** Checks the host is named and the port is a port. */
        public Target {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
        }

        /** As Postfix names a peer: {@code mx1.example.org[192.0.2.1]:25}. */
        @Override
        public String toString() {
            return host + (address == null ? "" : "[" + address.getHostAddress() + "]") + ":" + port;
        }
    }

    /**
     * No route to a domain. {@link #reply()} is the reply the queue records for every recipient of
     * the domain and a bounce quotes: {@code 550 5.1.2} the domain does not exist, {@code 556
     * 5.1.10} it accepts no mail (null MX, RFC 7505), {@code 451 4.4.3} DNS did not answer.
     */
    final class DnsFailure extends Exception {
        private final SmtpReply reply;

        /** A failure whose reply is {@code reply}; its code's class decides {@link #permanent()}. */
        public DnsFailure(SmtpReply reply, Throwable cause) {
            super(reply.toString(), cause);
            this.reply = reply;
        }

        /** The domain does not exist (NXDOMAIN): permanent. */
        public static DnsFailure noSuchDomain(String domain, Throwable cause) {
            return new DnsFailure(SmtpReply.of(550, "5.1.2", domain + ": domain does not exist"), cause);
        }

        /** The domain publishes a null MX (RFC 7505): it accepts no mail, permanent. */
        public static DnsFailure nullMx(String domain) {
            return new DnsFailure(SmtpReply.of(556, "5.1.10", domain + ": domain does not accept mail (null MX)"), null);
        }

        /** DNS did not give an answer now (timeout, SERVFAIL, no server, no usable address): try later. */
        public static DnsFailure temporary(String domain, String why, Throwable cause) {
            return new DnsFailure(SmtpReply.of(451, "4.4.3", domain + ": " + why), cause);
        }

        /** Whether trying again cannot help (a 5xx reply). */
        public boolean permanent() {
            return reply.permanent();
        }

        /** The reply to record for the domain's recipients. */
        public SmtpReply reply() {
            return reply;
        }
    }
}
