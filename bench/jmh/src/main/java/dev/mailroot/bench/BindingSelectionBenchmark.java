package dev.mailroot.bench;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingIndex;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.Rule;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.bindings.RuleSyntaxException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Selecting the bindings for one message, with 10, 1,000 and 10,000 OnSubmission bindings whose
 * rules look like real ones (per-user and per-domain tags, connector prefixes, HELO checks,
 * catch-alls), of which a handful match the message. {@code index} is what the dispatcher does;
 * {@code everyRule} tests every binding's rule in turn, for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BindingSelectionBenchmark {

    @Param({"10", "1000", "10000"})
    int bindings;

    private BindingIndex index;
    private List<Binding> sorted;
    private List<Rule> rules;
    private RuleInput message;

    @Setup
    public void setup() throws RuleSyntaxException {
        List<Binding> list = new ArrayList<>();
        for (int i = 0; i < bindings; i++) {
            String rule = switch (i % 6) {
                case 0 -> "RCPT TO=user" + i + "@example.com";
                case 1 -> "MAIL FROM=*@partner" + i + ".example.org";
                case 2 -> "RCPT TO=*mspop3connector.box" + i + "*";
                case 3 -> "EHLO=mx" + i + ".*";
                case 4 -> "RCPT TO=sales" + i + "@*;MAIL FROM=boss" + i + "@*";
                default -> "RCPT TO=*@dept" + i + ".example.com";
            };
            list.add(new Binding(new UUID(0, i).toString(), "binding " + i, Events.ON_SUBMISSION, "Sink", true, rule,
                    i % 100, Map.of()));
        }
        // the few that match this message, whatever the size
        list.add(new Binding(new UUID(1, 1).toString(), "catch-all", Events.ON_SUBMISSION, "Sink", true, null, 5, Map.of()));
        list.add(new Binding(new UUID(1, 2).toString(), "connector", Events.ON_SUBMISSION, "Sink", true,
                "RCPT TO=*mspop3connector.*", 0, Map.of()));
        list.add(new Binding(new UUID(1, 3).toString(), "company", Events.ON_SUBMISSION, "Sink", true,
                "MAIL FROM=*@*example.net", 10, Map.of()));
        list = list.stream().map(b -> new Binding(Binding.canonicalId(b.id()), b.name(), b.event(), b.sinkClass(),
                b.enabled(), b.rule(), b.priority(), b.sinkProperties())).toList();
        index = BindingIndex.of(list, Events.ON_SUBMISSION);
        sorted = list.stream().sorted(Binding.RUN_ORDER).toList();
        rules = new ArrayList<>();
        for (Binding b : sorted) {
            rules.add(Rule.parse(b.rule()));
        }
        message = new RuleInput("client.example.net", "alice@mail.example.net",
                List.of("mspop3connector.carol@localhost", "bob@localhost", "dave@localhost"));
        if (index.select(message).size() != 3) {
            throw new IllegalStateException("benchmark setup: expected 3 matches, got " + index.select(message).size());
        }
    }

    @Benchmark
    public List<BindingIndex.Match> index() {
        return index.select(message);
    }

    @Benchmark
    public int everyRule() {
        int n = 0;
        for (Rule r : rules) {
            if (r.matches(message)) {
                n++;
            }
        }
        return n;
    }
}
