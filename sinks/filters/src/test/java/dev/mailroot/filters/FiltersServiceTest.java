package dev.mailroot.filters;

import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.protocol.MailFromCommand;
import dev.mailroot.sink.protocol.Verdict;
import dev.mailroot.testkit.LogLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service that reads conf/filters.yaml, and the sinks as the server makes them (no-argument constructors). */
class FiltersServiceTest {
    @TempDir
    Path home;

    private static boolean refused(String sender) {
        Verdict v = new SenderFilter().onMailFrom(FakeProtocolSession.smtpFrom("192.0.2.1"), new MailFromCommand(sender, Map.of()),
                TestFilters.context());
        return v.kind() == Verdict.Kind.REJECT;
    }

    private static long count(FakeServiceContext ctx, String text) {
        return ctx.lines().stream().map(LogLine::message).filter(m -> m.contains(text)).count();
    }

    @Test
    void aChangedFileIsPickedUpAndABadOneIsReportedOnceWhileTheLastGoodOneStays() throws Exception {
        Path file = Files.createDirectories(home.resolve("conf")).resolve("filters.yaml");
        Files.writeString(file, "sender: {blocked: [\"a@spam.example\"]}\n");
        FiltersService service = new FiltersService();
        try (FakeServiceContext ctx = new FakeServiceContext(home)) {
            service.start(ctx);
            assertThat(refused("a@spam.example")).isTrue();
            assertThat(refused("b@spam.example")).isFalse();

            Files.writeString(file, "sender: {blocked: [\"*@spam.example\"]}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> refused("b@spam.example"));

            Files.writeString(file, "sender: {blocked: [\"*@spam.example\"]\nrecipient: [\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> count(ctx, "MR2101") > 0);
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> count(ctx, "MR2101") == 1);
            assertThat(ctx.lines().stream().map(LogLine::message).filter(m -> m.contains("MR2101")).findFirst().orElseThrow())
                    .contains(file.toString(), "line ", "not valid YAML", "keep their last good configuration");
            assertThat(refused("b@spam.example")).isTrue();

            Files.writeString(file, "sender: {blocked: [\"not an address\"]}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> count(ctx, "sender.blocked[0]") == 1);
            assertThat(refused("b@spam.example")).isTrue();

            Files.delete(file);
            await().atMost(Duration.ofSeconds(10)).until(() -> !refused("b@spam.example"));
        } finally {
            service.stop();
        }
    }

    @Test
    void theCheckCommandSaysWhatIsWrongOrWhatIsInForce() throws Exception {
        Path file = Files.createDirectories(home.resolve("conf")).resolve("filters.yaml");
        try (FakeServiceContext ctx = new FakeServiceContext(home)) {
            Files.writeString(file, "connection: {deny: [192.0.2.0/33]}\ncontent: {engine: spamd}\n");
            CommandResult bad = new FiltersService().command("check", Map.of(), ctx);
            assertThat(bad.outcome()).isEqualTo(CommandResult.Outcome.FAILED);
            assertThat(bad.report()).isEqualTo(file + ": connection.deny[0]: '192.0.2.0/33': the prefix length must be 0..32");

            Files.writeString(file, "connection: {deny: [192.0.2.0/24]}\ncontent: {engine: spamd}\n");
            CommandResult good = new FiltersService().command("check", Map.of(), ctx);
            assertThat(good.outcome()).isEqualTo(CommandResult.Outcome.OK);
            assertThat(good.report()).contains("1 denied network(s)", "content: spamd at 127.0.0.1:783");
        }
    }
}
