package dev.mailroot.filters;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the configured DNS block lists about a client address: all zones at once, answers within the
 * configured time limit ({@code timeoutMs}) or not at all. A listing is an {@code A} record in
 * 127.0.0.0/8 (only the zone's {@code codes}, if it names some); a name that does not exist means
 * not listed. {@code 127.255.255.0/24} is what lists such as Spamhaus answer when they refuse the
 * query (an open or public resolver, too many queries): a failed lookup, not a listing.
 */
final class Dnsbl implements AutoCloseable {

    /** A zone lists the address. */
    record Listing(FiltersConfig.Zone zone, String code, Optional<String> txt) {
    }

    private final FiltersConfig.Dnsbl config;
    private final Dns dns;
    private final DnsblCache cache;
    private final ExecutorService lookups;

    Dnsbl(FiltersConfig.Dnsbl config, Clock clock) {
        this.config = config;
        this.dns = new Dns(config.resolver(), config.timeout());
        this.cache = new DnsblCache(config.cacheTtl(), config.cacheSize(), clock);
        this.lookups = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "filters-dnsbl");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether any zone is configured. */
    boolean active() {
        return !config.zones().isEmpty();
    }

    /**
     * The zones that list {@code address}, in the configured order.
     *
     * @throws IOException if a lookup failed or did not finish in time, and no zone whose action is
     *                     {@code reject} lists the address (a refusal needs only one answer)
     */
    List<Listing> check(InetAddress address) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        List<CompletableFuture<Optional<Listing>>> answers = new ArrayList<>();
        for (FiltersConfig.Zone zone : config.zones()) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return lookup(zone, address);
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, lookups));
        }
        List<Listing> listed = new ArrayList<>();
        IOException failure = null;
        for (int i = 0; i < answers.size(); i++) {
            try {
                answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).ifPresent(listed::add);
            } catch (TimeoutException e) {
                answers.get(i).cancel(true);
                failure = first(failure, new IOException("DNS block list " + config.zones().get(i).zone() + ": no answer within "
                        + config.timeout().toMillis() + " ms"));
            } catch (ExecutionException e) {
                failure = first(failure, e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
            }
        }
        if (failure != null && listed.stream().noneMatch(l -> l.zone().action() == FiltersConfig.ZoneAction.REJECT)) {
            throw failure;
        }
        return listed;
    }

    private Optional<Listing> lookup(FiltersConfig.Zone zone, InetAddress address) throws IOException {
        String name = reversed(address) + "." + zone.zone();
        DnsblCache.Answer answer = cache.get(name).orElse(null);
        if (answer == null) {
            List<String> records = dns.a(name);
            Optional<String> txt = Optional.empty();
            if (!records.isEmpty() && zone.reply().text().contains("{txt}")) {
                txt = dns.txt(name).stream().findFirst();
            }
            answer = new DnsblCache.Answer(records, txt);
            cache.put(name, answer);
        }
        for (String a : answer.records()) {
            if (a.startsWith("127.255.255.")) {
                throw new IOException("DNS block list " + zone.zone() + " refused the query (answer " + a
                        + "; the list does not answer queries from this resolver, or too many)");
            }
        }
        for (String a : answer.records()) {
            if (a.startsWith("127.") && (zone.codes().isEmpty() || zone.codes().contains(a))) {
                return Optional.of(new Listing(zone, a, answer.txt()));
            }
        }
        return Optional.empty();
    }

    /** {@code 2.0.0.127} for 127.0.0.2; the 32 nibbles, last first, for an IPv6 address. */
    static String reversed(InetAddress address) {
        byte[] b = address.getAddress();
        StringBuilder out = new StringBuilder();
        if (address instanceof Inet4Address) {
            for (int i = 3; i >= 0; i--) {
                out.append(b[i] & 0xff).append(i > 0 ? "." : "");
            }
            return out.toString();
        }
        for (int i = b.length - 1; i >= 0; i--) {
            out.append(Character.forDigit(b[i] & 0xf, 16)).append('.').append(Character.forDigit((b[i] >> 4) & 0xf, 16));
            out.append(i > 0 ? "." : "");
        }
        return out.toString();
    }

    private static IOException first(IOException a, IOException b) {
        return a != null ? a : b;
    }

    @Override
    public void close() {
        lookups.shutdown();
    }
}
