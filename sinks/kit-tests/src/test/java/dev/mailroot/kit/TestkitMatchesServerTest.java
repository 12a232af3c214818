package dev.mailroot.kit;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.testkit.FakeSubmission;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The testkit repeats one rule of the server that lives in {@code server/} (which a plugin's tests
 * must not need): where the header section ends. This test holds the copy to the original, on fixed
 * cases and on seeded random ones (the seed is printed). (Addresses, header names and values and the
 * notes' rules are not copied: both sides call {@code dev.mailroot.host.message}.)
 */
class TestkitMatchesServerTest {
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
