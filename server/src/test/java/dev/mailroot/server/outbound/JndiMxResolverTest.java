package dev.mailroot.server.outbound;

import dev.mailroot.server.outbound.MxResolver.DnsFailure;
import dev.mailroot.server.outbound.MxResolver.Route;
import dev.mailroot.server.outbound.MxResolver.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link JndiMxResolver} against dnsmasq on a free loopback port (Debian package dnsmasq-base,
 * installed by .ci/run), answering the names under {@code test} from the records below and
 * {@code NXDOMAIN} for any other name under {@code test}.
 */
class JndiMxResolverTest {
    private static final String DNSMASQ = "/usr/sbin/dnsmasq";
    private static final long SEED = System.nanoTime();
    private static Process dnsmasq;
    private static Path log;
    private static int port;

    @BeforeAll
    static void startDnsmasq() throws Exception {
        assertThat(Path.of(DNSMASQ)).as("dnsmasq (Debian package dnsmasq-base, installed by .ci/run)").isExecutable();
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        log = Files.createTempFile("mailroot-dnsmasq", ".log");
        List<String> command = new ArrayList<>(List.of(DNSMASQ, "--keep-in-foreground", "--port=" + port,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=",
                "--local=/test/", "--log-facility=-",
                // preference order: 10 before 20; the 20s shuffled between themselves
                "--mx-host=example.test,mx2.example.test,20", "--mx-host=example.test,mx1.example.test,10",
                "--mx-host=example.test,mx3.example.test,20",
                "--host-record=mx1.example.test,127.0.0.1,::1", "--host-record=mx2.example.test,127.0.0.2",
                "--host-record=mx3.example.test,127.0.0.3",
                "--host-record=nomx.test,127.0.0.4",
                "--mx-host=nullmx.test,.,0",
                "--mx-host=lame.test,nowhere.lame.test,10", "--mx-host=lame.test,noaddress.lame.test,20",
                "--txt-record=noaddress.lame.test,exists",
                "--mx-host=halflame.test,gone.halflame.test,5", "--mx-host=halflame.test,mx.halflame.test,10",
                "--host-record=mx.halflame.test,127.0.0.5"));
        dnsmasq = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        JndiMxResolver probe = new JndiMxResolver("dns://127.0.0.1:" + port, Duration.ofMillis(300), 25);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                probe.route("ready.test");
            } catch (DnsFailure f) {
                if (f.permanent()) {
                    return;
                }
            }
            if (!dnsmasq.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("dnsmasq did not start on 127.0.0.1:" + port + ": " + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stopDnsmasq() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor(5, TimeUnit.SECONDS);
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private static JndiMxResolver resolver(Random random) {
        return new JndiMxResolver("dns://127.0.0.1:" + port, Duration.ofSeconds(2), 2525, random);
    }

    @Test
    void mxHostsComeInPreferenceOrderEachAddressATargetAndEqualPreferencesInBothOrders() throws Exception {
        System.out.println("JndiMxResolverTest seed " + SEED);
        Random random = new Random(SEED);
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Route r = resolver(random).route("example.test");
            assertThat(r.destination()).isEqualTo("example.test");
            assertThat(r.targets()).hasSize(4).allMatch(t -> t.port() == 2525);
            assertThat(r.targets().subList(0, 2)).extracting(Target::host, t -> t.address().getHostAddress())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("mx1.example.test", "127.0.0.1"),
                            org.assertj.core.groups.Tuple.tuple("mx1.example.test", "0:0:0:0:0:0:0:1"));
            orders.add(r.targets().subList(2, 4).stream().map(Target::host).toList());
        }
        assertThat(orders).containsExactlyInAnyOrder(List.of("mx2.example.test", "mx3.example.test"),
                List.of("mx3.example.test", "mx2.example.test"));
    }

    @Test
    void aDomainWithoutMxIsItsOwnMailHost() throws Exception {
        Route r = resolver(new Random(SEED)).route("nomx.test");

        assertThat(r.targets()).extracting(Target::host, t -> t.address().getHostAddress())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("nomx.test", "127.0.0.4"));
    }

    @Test
    void aDomainThatDoesNotExistFailsForGood() {
        DnsFailure f = catchThrowableOfType(() -> resolver(new Random(SEED)).route("nxdomain.test"), DnsFailure.class);

        assertThat(f.permanent()).isTrue();
        assertThat(f.reply().toString()).isEqualTo("550 5.1.2 nxdomain.test: domain does not exist");
    }

    @Test
    void aNullMxFailsForGood() {
        DnsFailure f = catchThrowableOfType(() -> resolver(new Random(SEED)).route("nullmx.test"), DnsFailure.class);

        assertThat(f.permanent()).isTrue();
        assertThat(f.reply().code()).isEqualTo(556);
        assertThat(f.reply().enhanced()).isEqualTo("5.1.10");
    }

    @Test
    void mxHostsWithoutAddressesAreSkippedAndWhenAllAreTheFailureIsTemporary() throws Exception {
        Route half = resolver(new Random(SEED)).route("halflame.test");
        DnsFailure lame = catchThrowableOfType(() -> resolver(new Random(SEED)).route("lame.test"), DnsFailure.class);

        assertThat(half.targets()).extracting(Target::host).containsExactly("mx.halflame.test");
        assertThat(lame.permanent()).isFalse();
        assertThat(lame.reply().toString()).startsWith("451 4.4.3 lame.test: no MX host has an address")
                .contains("nowhere.lame.test (does not exist)", "noaddress.lame.test (no address)");
    }

    @Test
    void noDnsServerIsATemporaryFailureWithinTheTimeLimit() throws Exception {
        int silent;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            silent = s.getLocalPort();
        }
        JndiMxResolver nobody = new JndiMxResolver("dns://127.0.0.1:" + silent, Duration.ofMillis(600), 25);

        long start = System.nanoTime();
        DnsFailure f = catchThrowableOfType(() -> nobody.route("example.test"), DnsFailure.class);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(f.permanent()).isFalse();
        assertThat(f.reply().code()).isEqualTo(451);
        assertThat(f.reply().enhanced()).isEqualTo("4.4.3");
        assertThat(millis).as("gave up after %d ms", millis).isLessThan(5000);
    }

    @Test
    void anAddressLiteralIsItsOwnTargetWithoutDns() throws Exception {
        JndiMxResolver nobody = new JndiMxResolver("dns://127.0.0.1:1", Duration.ofMillis(100), 2525);

        assertThat(nobody.route("[192.0.2.1]").targets()).extracting(t -> t.address().getHostAddress(), Target::port)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.1", 2525));
        assertThat(nobody.route("[IPv6:2001:db8::1]").targets().get(0).address().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
    }
}
