package dev.mailroot.bindings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class BindingStoreTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("bindings.yaml");
    }

    private static Binding binding(String name, String rule) {
        return new Binding(Binding.newId(), name, Events.ON_SUBMISSION, "dev.example.Sink", true, rule, 100,
                Map.of("header", "X-Tag", "value", "yes"));
    }

    @Test
    void aMissingFileIsAnEmptyRegistry() throws Exception {
        assertThat(new BindingStore(file()).read().bindings()).isEmpty();
    }

    @Test
    void whatIsWrittenIsReadBackWithEveryField() throws Exception {
        BindingStore store = new BindingStore(file());
        Binding plain = binding("Tag sales", "RCPT TO=sales@*;MAIL FROM=*@example.com");
        Binding failed = binding("Broken", null).withFailure(new Binding.Failure(Instant.parse("2026-11-27T10:00:00Z"), 5,
                "IllegalStateException: boom"));
        store.write(new BindingRegistry(List.of(plain, failed), java.util.Set.of(plain.id())));
        BindingRegistry back = store.read();
        assertThat(back.bindings()).containsExactly(plain, failed);
        assertThat(back.registeredDefaults()).containsExactly(plain.id());
        assertThat(failed.enabled()).isFalse();
        String text = Files.readString(file());
        assertThat(text).startsWith("# Mailroot binding registry").contains("rule: \"RCPT TO=sales@*;MAIL FROM=*@example.com\"");
    }

    @Test
    void iisEventNamesAreStoredAsOnSubmissionAndIdsAreCanonical() throws Exception {
        Files.writeString(file(), """
                bindings:
                  - id: "66f4180a-627e-4073-8d31-51f628aa8366"
                    name: one
                    event: OnArrival
                    sinkClass: a.B
                  - id: "{00000000-0000-0000-0000-000000000002}"
                    name: two
                    event: smtp transport onsubmission
                    sinkClass: a.B
                    priority: 7
                    sinkProperties: {timeoutMs: 500, onError: badmail}
                  - id: "{00000000-0000-0000-0000-000000000003}"
                    name: three
                    event: OnTransportSubmission
                    sinkClass: a.B
                    enabled: false
                """);
        BindingRegistry r = new BindingStore(file()).read();
        assertThat(r.bindings()).extracting(Binding::event).containsOnly("OnSubmission");
        assertThat(r.bindings().get(0).id()).isEqualTo("{66F4180A-627E-4073-8D31-51F628AA8366}");
        assertThat(r.bindings().get(0).priority()).isEqualTo(24575);
        assertThat(r.bindings().get(0).enabled()).isTrue();
        assertThat(r.bindings().get(1).sinkProperties()).containsEntry("timeoutMs", "500").containsEntry("onError", "badmail");
        assertThat(r.bindings().get(2).enabled()).isFalse();
    }

    @Test
    void aFileThatDoesNotParseIsRefusedWithLineAndColumn() throws Exception {
        Files.writeString(file(), "bindings:\n  - id: \"{00000000-0000-0000-0000-000000000001}\"\n    name: [unclosed\n");
        assertThatThrownBy(() -> new BindingStore(file()).read()).isInstanceOf(BindingStoreException.class)
                .hasMessageContaining("bindings.yaml (line ").hasMessageContaining("column ").hasMessageContaining("not valid YAML");
    }

    @Test
    void aBindingWithAProblemIsRefusedWithItsLineAndWhatIsWrong() throws Exception {
        String ok = "  - id: \"{00000000-0000-0000-0000-000000000001}\"\n    name: ok\n    event: OnSubmission\n    sinkClass: a.B\n";
        for (String[] c : new String[][]{
                {"    rule: \"RCPT TO\"\n", "no '='"},
                {"    priority: 40000\n", "priority must be a whole number 0..32767"},
                {"    prioirty: 4\n", "unknown key 'prioirty'"},
                {"    enabled: maybe\n", "enabled must be true or false"}}) {
            Files.writeString(file(), "bindings:\n" + ok + "  - id: \"{00000000-0000-0000-0000-000000000002}\"\n"
                    + "    name: bad\n    event: OnSubmission\n    sinkClass: a.B\n" + c[0]);
            assertThatThrownBy(() -> new BindingStore(file()).read()).as(c[1]).isInstanceOf(BindingStoreException.class)
                    .hasMessageContaining("(line 6): binding 2").hasMessageContaining(c[1]);
        }
        Files.writeString(file(), "bindings:\n" + ok + ok);
        assertThatThrownBy(() -> new BindingStore(file()).read()).hasMessageContaining("is used by another binding");
        Files.writeString(file(), "bindings:\n" + ok.replace("OnSubmission", "OnPostCategorize"));
        assertThatThrownBy(() -> new BindingStore(file()).read()).hasMessageContaining("unknown event 'OnPostCategorize'");
        Files.writeString(file(), "bindings:\n" + ok.replace("{00000000-0000-0000-0000-000000000001}", "not-a-guid"));
        assertThatThrownBy(() -> new BindingStore(file()).read()).hasMessageContaining("is not a GUID");
    }

    @Test
    void checkReportsEveryProblemOfEachBindingWhereReadRefusesTheFileAtTheFirst() throws Exception {
        Files.writeString(file(), """
                bindings:
                  - id: "{00000000-0000-0000-0000-000000000001}"
                    name: two faults
                    event: OnPostCategorize
                    sinkClass: a.B
                    rule: "RCPT TO=a;;b"
                  - id: "{00000000-0000-0000-0000-000000000002}"
                    name: fine
                    event: OnSubmission
                    sinkClass: a.B
                  - id: "{00000000-0000-0000-0000-000000000002}"
                    name: twin
                    event: OnSubmission
                    sinkClass: a.B
                  - id: "{00000000-0000-0000-0000-000000000004}"
                    name: classless
                    event: OnSubmission
                  - just text
                registeredDefaults: ["nope"]
                """);
        BindingStore store = new BindingStore(file());
        BindingFile checked = store.check();

        assertThat(checked.ok()).isFalse();
        assertThat(checked.problems()).extracting(BindingProblem::line, BindingProblem::position, BindingProblem::name,
                BindingProblem::field).containsExactly(
                tuple(2, 1, "two faults", "event"),
                tuple(2, 1, "two faults", "rule"),
                tuple(11, 3, "twin", "id"),
                tuple(15, 4, "classless", "sinkClass"),
                tuple(18, 5, null, null),
                tuple(0, 0, null, "registeredDefaults"));
        assertThat(checked.problems()).extracting(BindingProblem::message).containsExactly(
                "unknown event 'OnPostCategorize' (known: " + Events.known() + ")",
                "rule 'RCPT TO=a;;b' does not parse at position 11: empty clause (two ';' in a row, or a ';' at the start or end)",
                "id {00000000-0000-0000-0000-000000000002} is used by another binding: 'fine' (line 7)",
                "'sinkClass' is missing",
                "expected keys id, name, event, sinkClass, ...",
                "registeredDefaults: 'nope' is not a GUID");
        assertThat(checked.problems().get(2).binding()).isEqualTo("'twin' {00000000-0000-0000-0000-000000000002}");
        assertThat(checked.problems().get(4).binding()).isEqualTo("(no name) (no id)");
        assertThat(checked.entries()).extracting(BindingEntry::name).containsExactly("two faults", "fine", "twin", "classless", null);
        assertThat(checked.entries().get(1).binding().name()).isEqualTo("fine");
        assertThat(checked.entries().get(0).binding()).isNull();
        assertThat(checked.entries().get(0).sinkClass()).isEqualTo("a.B");

        assertThatThrownBy(store::read).isInstanceOf(BindingStoreException.class).hasMessage(file()
                + " (line 2): binding 1 'two faults' {00000000-0000-0000-0000-000000000001}: unknown event 'OnPostCategorize'"
                + " (known: " + Events.known() + ")"
                + " (and 5 more problem(s); registry verify lists them all)");
    }

    @Test
    void checkReadsAGoodFileFieldByFieldWithEachBindingsLine() throws Exception {
        Files.writeString(file(), """
                bindings:
                  - id: "{00000000-0000-0000-0000-00000000000a}"
                    name: Tag sales
                    event: OnArrival
                    sinkClass: a.B
                    rule: "RCPT TO=sales@*"
                    priority: 7
                    sinkProperties: {header: X-Tag}
                  - id: "{00000000-0000-0000-0000-00000000000B}"
                    name: broken
                    event: OnSubmission
                    sinkClass: a.C
                    enabled: false
                    failure: {at: "2026-11-27T10:00:00Z", failures: 5, cause: boom}
                registeredDefaults: ["{00000000-0000-0000-0000-00000000000A}"]
                """);
        BindingFile checked = new BindingStore(file()).check();
        assertThat(checked.ok()).isTrue();
        assertThat(checked.entries()).extracting(BindingEntry::line).containsExactly(2, 9);
        assertThat(checked.entries()).extracting(BindingEntry::binding).containsExactly(
                new Binding("{00000000-0000-0000-0000-00000000000A}", "Tag sales", "OnSubmission", "a.B", true,
                        "RCPT TO=sales@*", 7, Map.of("header", "X-Tag")),
                new Binding("{00000000-0000-0000-0000-00000000000B}", "broken", "OnSubmission", "a.C", false, null,
                        Binding.PRIORITY_DEFAULT, Map.of(),
                        new Binding.Failure(Instant.parse("2026-11-27T10:00:00Z"), 5, "boom")));
        assertThat(checked.registeredDefaults()).containsExactly("{00000000-0000-0000-0000-00000000000A}");
    }

    @Test
    void anIisOnInboundCommandBindingIsStoredAsTheEventOfItsCommand() throws Exception {
        Files.writeString(file(), """
                bindings:
                  - id: "{00000000-0000-0000-0000-000000000001}"
                    name: greet
                    event: SMTP Protocol OnInboundCommand
                    sinkClass: a.B
                    rule: EHLO
                  - id: "{00000000-0000-0000-0000-000000000002}"
                    name: senders
                    event: OnInboundCommand
                    sinkClass: a.B
                    rule: "mail from=*@x.example"
                  - id: "{00000000-0000-0000-0000-000000000003}"
                    name: data
                    event: smtp protocol oninboundcommand
                    sinkClass: a.B
                    rule: DATA
                    sinkProperties: {onError: tempfail}
                """);
        BindingStore store = new BindingStore(file());
        BindingRegistry r = store.read();
        assertThat(r.bindings()).extracting(Binding::event, Binding::rule).containsExactly(
                tuple(Events.ON_HELO, null), tuple(Events.ON_MAIL_FROM, "mail from=*@x.example"),
                tuple(Events.ON_END_OF_DATA, null));
        store.write(r);
        assertThat(Files.readString(file())).contains("event: \"OnHelo\"").doesNotContain("OnInboundCommand");
    }

    @Test
    void anOnInboundCommandThatMapsToNoEventAndAWrongOnErrorAreProblemsOfTheBinding() throws Exception {
        Files.writeString(file(), """
                bindings:
                  - id: "{00000000-0000-0000-0000-000000000001}"
                    name: vrfy
                    event: SMTP Protocol OnInboundCommand
                    sinkClass: a.B
                    rule: VRFY
                  - id: "{00000000-0000-0000-0000-000000000002}"
                    name: badmail at connect
                    event: OnConnect
                    sinkClass: a.B
                    sinkProperties: {onError: badmail}
                  - id: "{00000000-0000-0000-0000-000000000003}"
                    name: tempfail on submission
                    event: OnSubmission
                    sinkClass: a.B
                    sinkProperties: {onError: tempfail}
                  - id: "{00000000-0000-0000-0000-000000000004}"
                    name: fine
                    event: OnRcptTo
                    sinkClass: a.B
                    sinkProperties: {onError: TempFail, timeoutMs: "800"}
                """);
        BindingFile checked = new BindingStore(file()).check();
        assertThat(checked.problems()).extracting(BindingProblem::name, BindingProblem::field, BindingProblem::message)
                .containsExactly(
                        tuple("vrfy", "event", "the command 'VRFY' in OnInboundCommand rule 'VRFY' has no Mailroot event "
                                + "(events exist for EHLO/HELO, AUTH, MAIL, RCPT and DATA)"),
                        tuple("badmail at connect", "sinkProperties",
                                "onError must be 'continue' or 'tempfail' for a protocol event (OnConnect), not 'badmail'"),
                        tuple("tempfail on submission", "sinkProperties",
                                "onError must be 'continue', 'badmail' or 'defer' for OnSubmission, not 'tempfail'"));
        assertThat(checked.entries().get(3).binding()).isNotNull();
        assertThatThrownBy(() -> new BindingStore(file()).read()).isInstanceOf(BindingStoreException.class)
                .hasMessageContaining("'VRFY' in OnInboundCommand").hasMessageContaining("and 2 more problem(s)");
    }

    @Test
    void aChangeThatThrowsLeavesTheFileAsItWas() throws Exception {
        BindingStore store = new BindingStore(file());
        store.write(new BindingRegistry(List.of(binding("keep", null)), java.util.Set.of()));
        String before = Files.readString(file());
        assertThatThrownBy(() -> store.update(r -> {
            throw new IllegalStateException("refused");
        })).hasMessage("refused");
        assertThat(Files.readString(file())).isEqualTo(before);
    }

    @Test
    void concurrentWritersInOneProcessLoseNothing() throws Exception {
        BindingStore a = new BindingStore(file());
        BindingStore b = new BindingStore(file());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            BindingStore store = t % 2 == 0 ? a : b;
            int thread = t;
            fs.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    String name = "t" + thread + "-" + i;
                    store.update(r -> r.with(binding(name, null)));
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(a.read().bindings()).hasSize(100);
    }

    @Test
    void concurrentWritersInTwoProcessesLoseNothing() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> ps = new ArrayList<>();
        for (String prefix : List.of("p1", "p2")) {
            ps.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StoreWriterMain.class.getName(),
                    file().toString(), prefix, "40").inheritIO().start());
        }
        for (Process p : ps) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        BindingRegistry r = new BindingStore(file()).read();
        assertThat(r.bindings()).hasSize(80);
        assertThat(r.bindings().stream().map(Binding::name).distinct()).hasSize(80);
    }
}
