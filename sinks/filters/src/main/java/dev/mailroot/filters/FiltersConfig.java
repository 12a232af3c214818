package dev.mailroot.filters;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code conf/filters.yaml}, checked: the settings of the four filters. Every list empty by default,
 * so a filter whose binding is enabled without configuration lets everything through (the content
 * filter asks an rspamd on {@code 127.0.0.1:11333}). Read by {@link ConfigParser}.
 */
record FiltersConfig(Connection connection, Sender sender, Recipient recipient, Content content) {

    /** The configuration without a file. */
    static FiltersConfig defaults() {
        try {
            return ConfigParser.parse(Map.of(), "(defaults)");
        } catch (ConfigParser.Invalid e) {
            throw new IllegalStateException("the embedded defaults are invalid: " + e.problems(), e);
        }
    }

    /** The connection filter: IP allow and deny lists, DNS block lists. */
    record Connection(List<Cidr> allow, List<Cidr> deny, ReplyTemplate denyReply, Dnsbl dnsbl) {
    }

    /**
     * DNS block lists.
     *
     * @param resolver  the DNS server to ask; empty: the system's resolvers
     * @param timeout   the longest a connection waits for all zones' answers
     * @param cacheTtl  how long an answer (listed or not) is kept
     * @param cacheSize how many answers are kept at most
     */
    record Dnsbl(List<Zone> zones, Optional<InetSocketAddress> resolver, Duration timeout, Duration cacheTtl, int cacheSize) {
    }

    /** What a listing does: refuse the connection, or only note it for later sinks. */
    enum ZoneAction { REJECT, NOTE }

    /**
     * One block list zone.
     *
     * @param codes the listing addresses that count ({@code 127.0.0.2}); empty: any in 127.0.0.0/8
     * @param reply the refusal, with {@code {ip}}, {@code {zone}}, {@code {code}} and {@code {txt}}
     *              (the zone's TXT record is looked up only when the reply uses it)
     */
    record Zone(String zone, Set<String> codes, ZoneAction action, ReplyTemplate reply) {
    }

    /** What a blocked sender gets: refused at MAIL FROM, or tagged with a header at the end of data. */
    enum SenderAction { REJECT, TAG }

    /** The sender filter. */
    record Sender(List<AddressPattern> blocked, boolean blockBlank, SenderAction action, ReplyTemplate reply) {
    }

    /** The recipient filter. */
    record Recipient(List<AddressPattern> blocked, boolean rejectUnknown, ReplyTemplate reply, ReplyTemplate unknownReply) {
    }

    /** The scanning engines the content filter can ask. */
    enum Engine { RSPAMD, SPAMD, NONE }

    /**
     * The content filter.
     *
     * @param maxScanSize     a message larger than this (bytes) is not scanned
     * @param rejectScore     refused at or above this score (and, for rspamd, when it says {@code reject})
     * @param quarantineScore quarantined at or above this score
     * @param tagScore        tagged ({@code X-Spam-*} fields) at or above this score
     */
    record Content(Engine engine, String host, int port, Duration timeout, long maxScanSize, OptionalDouble rejectScore,
                   OptionalDouble quarantineScore, OptionalDouble tagScore, ReplyTemplate reply) {
    }
}
