package dev.mailroot.kit;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.testkit.FakeSubmission;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The testkit repeats three rules of the server that live in {@code server/} (which a plugin's
 * tests must not need): how an envelope address is checked, how a header name and value are
 * checked, and where the header section ends. This test holds the copies to the originals, on
 * fixed cases and on seeded random ones (the seed is printed).
 */
class TestkitMatchesServerTest {
    private static final String ALPHABET = "aZ0@.-_:; \t\r\n\u0000\u007f<>\"\u00e9\u4e2d";

    private static FakeSubmission mail() {
        return FakeSubmission.builder().to("b@example.com").build();
    }

    private static boolean kitAcceptsAddress(String a) {
        try {
            mail().envelope().addRecipient(a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean serverAcceptsAddress(String a) throws Exception {
        Method check = Class.forName("dev.mailroot.server.dispatch.MutableEnvelope").getDeclaredMethod("checkAddress", String.class);
        check.setAccessible(true);
        try {
            check.invoke(null, a);
            return true;
        } catch (InvocationTargetException e) {
            assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
            return false;
        }
    }

    private static boolean kitAcceptsHeader(String name, String value) {
        try {
            mail().headers().add(name, value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean serverAcceptsHeader(String name, String value) {
        try {
            HeaderSection.checkName(name);
            HeaderSection.checkValue(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static List<String> samples(Random random, int count, int maxLength) {
        List<String> out = new ArrayList<>(List.of("", "a@b", "a b@c", "<a@b>", "a\r\n@b", "x".repeat(320), "x".repeat(321),
                "X-Name", "X:Name", "Näme", "v\0", "\u007f"));
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(maxLength);
            for (int j = 0; j < n; j++) {
                sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void addressesAndHeadersAreRefusedExactlyAsTheServerRefusesThem() throws Exception {
        long seed = Long.getLong("kit.seed", System.nanoTime()); // replay with -Dkit.seed=N
        System.out.println("TestkitMatchesServerTest seed: " + seed);
        Random random = new Random(seed);
        for (String s : samples(random, 2000, 12)) {
            assertThat(kitAcceptsAddress(s)).as("address '%s' (seed %d)", s, seed).isEqualTo(serverAcceptsAddress(s));
            assertThat(kitAcceptsHeader(s, "v")).as("header name '%s' (seed %d)", s, seed).isEqualTo(serverAcceptsHeader(s, "v"));
            assertThat(kitAcceptsHeader("X-A", s)).as("header value '%s' (seed %d)", s, seed).isEqualTo(serverAcceptsHeader("X-A", s));
        }
    }

    @Test
    void theHeaderSectionEndsWhereTheServerEndsIt() throws Exception {
        List<String> messages = new ArrayList<>(List.of(
                "Subject: a\r\n\r\nbody\r\n", "Subject: a\n\nbody\n", "Subject: a\r\n\tfolded\r\nTo: b\r\n\r\n\r\nx",
                "no header line\r\nSubject: a\r\n\r\n", "Subject : spaced\r\n\r\n", "Subject: no end", "", "\r\nbody only",
                " continuation first\r\nA: b\r\n\r\n", "A: b\r\nB:\r\n\r\n"));
        long seed = Long.getLong("kit.seed", System.nanoTime()); // replay with -Dkit.seed=N
        System.out.println("TestkitMatchesServerTest seed: " + seed);
        Random random = new Random(seed);
        String pieces = "A: b|Subject:x| cont|\tcont|:|no colon|\r\n|\n|\r\n\r\n|body";
        String[] parts = pieces.split("\\|");
        for (int i = 0; i < 1000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(10); j > 0; j--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            messages.add(sb.toString());
        }
        for (String m : messages) {
            byte[] bytes = m.getBytes(StandardCharsets.UTF_8);
            HeaderSection server = HeaderSection.parse(new ByteArrayInputStream(bytes));
            FakeSubmission kit = FakeSubmission.builder().to("b@example.com").message(bytes).build();
            String shown = m.replace("\r", "\\r").replace("\n", "\\n") + " (seed " + seed + ")";
            assertThat(kit.headers().names()).as("names of %s", shown).isEqualTo(server.names());
            for (String name : server.names()) {
                assertThat(kit.headers().all(name)).as("values of %s in %s", name, shown).isEqualTo(server.all(name));
            }
            byte[] body = Arrays.copyOfRange(bytes, (int) server.bodyStart(), bytes.length);
            assertThat(kit.bodyAsString()).as("body of %s", shown).isEqualTo(new String(body, StandardCharsets.UTF_8));
            assertThat(kit.contentAsString()).as("content of %s", shown).isEqualTo(m);
        }
    }
}
