package dev.mailroot.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroot.server.Launcher;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/mailroot doctor} as an administrator runs it: the real launcher in a child process,
 * its stdout, stderr and exit code, against a stopped home and a running server (in this JVM),
 * healthy and then broken. Each check's own findings are {@link DoctorTest}'s.
 */
class DoctorIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    @TempDir
    Path work;

    private Launcher.Run doctor(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("doctor", "--home", home.toString()));
        all.addAll(List.of(args));
        return Launcher.run("mailroot", work, all.toArray(String[]::new));
    }

    @Test
    void aStoppedServerIsAFailureAndWhatNeedsItIsSkipped() throws Exception {
        Launcher.Run r = doctor();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines()).hasSize(17);
        assertThat(r.out()).startsWith("fail  server         MR8001  not running for " + home)
                .contains("\nskip  pop3           MR8009  server not running")
                .contains("\nskip  open-relay     MR8014  server not running")
                .containsPattern("\ndoctor: \\d+ ok, \\d+ warn, 1 fail, \\d+ skip\n$");
    }

    @Test
    void aHealthyServerExitsZeroThenEachProblemIsALineAndExitsOne() throws Exception {
        try (TestServer server = TestServer.start(home)) {
            Launcher.Run healthy = doctor();
            assertThat(healthy.err()).isEmpty();
            assertThat(healthy.exit()).as(healthy.out()).isZero();
            List<String> lines = healthy.out().lines().toList();
            assertThat(lines).hasSize(17);
            assertThat(lines.subList(0, 16)).allSatisfy(l -> assertThat(l).matches("(ok  |skip)  \\S+ +MR80\\d\\d  .*"));
            assertThat(lines.get(0)).startsWith("ok    server         MR8001  running (pid " + ProcessHandle.current().pid() + ")");
            assertThat(lines.get(16)).matches("doctor: \\d+ ok, 0 warn, 0 fail, \\d+ skip");

            Files.createDirectories(home.resolve("sieve"));
            Files.writeString(home.resolve("sieve/bob.sieve"), "require \"fileinto\";\nfilein \"Junk\";\n");
            Path held = Files.writeString(home.resolve("mailroot/badmail/0ABC.bad"), "From: a@localhost\n\nx\n");
            Process holder = new ProcessBuilder("sleep", "600").redirectInput(held.toFile()).start();
            try {
                Launcher.Run broken = doctor("--json", "--since", "2h");
                assertThat(broken.err()).isEmpty();
                assertThat(broken.exit()).isEqualTo(1);
                List<JsonNode> checks = new ArrayList<>();
                for (String l : broken.out().lines().toList()) {
                    checks.add(JSON.readTree(l));
                }
                assertThat(checks).hasSize(16).allSatisfy(c -> assertThat(c.fieldNames()).toIterable()
                        .containsExactly("name", "id", "status", "detail", "remedy"));
                JsonNode sieve = checks.stream().filter(c -> c.path("id").asText().equals("MR8012")).findFirst().orElseThrow();
                assertThat(sieve.path("status").asText()).isEqualTo("fail");
                assertThat(sieve.path("detail").asText()).startsWith("bob.sieve: line 2: unknown command 'filein'");
                JsonNode foreign = checks.stream().filter(c -> c.path("id").asText().equals("MR8016")).findFirst().orElseThrow();
                assertThat(foreign.path("status").asText()).isEqualTo("warn");
                assertThat(foreign.path("detail").asText()).contains("process " + holder.pid() + " (sleep) holds badmail/0ABC.bad open");
                JsonNode setAside = checks.stream().filter(c -> c.path("id").asText().equals("MR8006")).findFirst().orElseThrow();
                assertThat(setAside.path("detail").asText()).contains("badmail: 1 (e.g. 0ABC.bad: (no reason file))");
            } finally {
                holder.destroy();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBadSinceIsAUsageErrorOnOneLine() throws Exception {
        Launcher.Run r = doctor("--since", "yesterday");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("mailroot: --since: 'yesterday' is not a duration (90s, 5m, 4h, 5d)\n");
    }
}
