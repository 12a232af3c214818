package dev.mailroot.server.pickup;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Any bytes dropped into pickup end up spooled or in badmail with a reason, and the pickup goes on. */
class PickupPropertiesTest {

    private static Path root;
    private static Spool spool;
    private static PickupDirectory pickup;
    private static final AtomicInteger spooled = new AtomicInteger();
    private static final AtomicInteger n = new AtomicInteger();

    @BeforeContainer
    static void start() throws Exception {
        root = Files.createTempDirectory("mailroot-pickup-props");
        spool = Spool.open(root.resolve("queue"), Spool.Options.defaults());
        pickup = new PickupDirectory(Files.createDirectories(root.resolve("pickup")), "test",
                new PickupDirectory.Settings(Duration.ZERO, Duration.ofSeconds(1), 2, 100, true), spool,
                new MessageIds(Clock.systemUTC()), new LocalRecipients(List.of("localhost"), root.resolve("boxes"), true),
                new Badmail(root.resolve("badmail"), Clock.systemUTC()), 4096, Clock.systemUTC(),
                (SpoolEntry e) -> {
                    spooled.incrementAndGet();
                    spool.done(e, "test");
                });
        pickup.start(Set.of());
    }

    @AfterContainer
    static void stop() throws Exception {
        pickup.close();
        spool.close();
    }

    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<String> header = Arbitraries.of("x-sender: a@example.org\r\n", "x-receiver: bob@localhost\r\n",
                "x-receiver: x@elsewhere.example\r\n", "From: a@example.org\r\n", "To: bob@localhost\r\n",
                "To: <unclosed\r\n", "Cc: carol@localhost, x@elsewhere.example\r\n", "Bcc: hidden@localhost\r\n",
                "Subject: s\r\n", "\r\n", "junk line\r\n", "\u0000\r\n", "X-Long: " + "y".repeat(5000) + "\r\n");
        Arbitrary<byte[]> structured = Combinators.combine(header.list().ofMaxSize(8), Arbitraries.strings().ofMaxLength(100))
                .as((h, body) -> (String.join("", h) + body).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(raw, structured, structured);
    }

    @Property(tries = 120)
    void anyFileEndsSpooledOrInBadmailWithAReason(@ForAll("files") byte[] content) throws Exception {
        int spooledBefore = spooled.get();
        long badBefore = badmail(".bad");
        Path staging = Files.createDirectories(root.resolve("staging"));
        String name = "f" + n.incrementAndGet() + ".eml";
        Files.write(staging.resolve(name), content);
        Files.move(staging.resolve(name), root.resolve("pickup").resolve(name));
        // eventually: the file has left pickup, and it was spooled or went to badmail (or both: split recipients)
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10)).until(() -> {
            try (Stream<Path> s = Files.walk(root.resolve("pickup"))) {
                if (s.anyMatch(Files::isRegularFile)) {
                    return false;
                }
            } catch (java.io.UncheckedIOException | java.io.IOException e) {
                return false; // a file moved while we looked: look again
            }
            return spooled.get() - spooledBefore + (badmail(".bad") - badBefore) > 0;
        });
        assertThat(badmail(".bad")).isEqualTo(badmail(".bdr"));
        if (!Files.isDirectory(root.resolve("badmail"))) {
            return; // nothing has gone to badmail yet (the first files were all good)
        }
        try (Stream<Path> s = Files.list(root.resolve("badmail"))) {
            for (Path bdr : s.filter(p -> p.toString().endsWith(".bdr")).toList()) {
                assertThat(Files.readString(bdr)).contains("Reason:");
            }
        }
    }

    private static long badmail(String suffix) throws Exception {
        Path dir = root.resolve("badmail");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }
}
