package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingIndex;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.Rule;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.bindings.RuleSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "test", aliases = "/test", mixinStandardHelpOptions = true, description = "Prints the bindings that would fire for a message, one a line, "
        + "in run order: priority, name, id, the clause that matched. --verbose also lists the others and why not: each clause of a rule that did not match.",
        footer = {"", "Example:", "  registry test --mail-from alice@example.com --rcpt mspop3connector.carol@localhost --ehlo mx.example.com"})
final class TestCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Option(names = "--mail-from", required = true, paramLabel = "A", description = "The envelope sender (\"\" for the null sender).")
    String mailFrom;
    @Option(names = "--rcpt", required = true, paramLabel = "B", description = "A recipient (repeatable).")
    List<String> rcpts;
    @Option(names = "--ehlo", paramLabel = "H", description = "The HELO/EHLO name (SMTP only).")
    String ehlo;
    @Option(names = "--source", paramLabel = "smtp|pickup", description = "How the message arrives (default smtp; pickup mail has no HELO).")
    String source = "smtp";
    @Option(names = "--verbose", description = "Also list the bindings that would not fire, and why.")
    boolean verbose;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String src = source.toLowerCase(Locale.ROOT);
        if (!src.equals("smtp") && !src.equals("pickup")) {
            throw new RegistryException("--source must be smtp or pickup, not '" + source + "'");
        }
        RuleInput in = new RuleInput(src.equals("pickup") ? "" : ehlo, mailFrom, rcpts);
        BindingRegistry registry = home.read();
        Catalog catalog = new Catalog(home.jars());
        Terminal out = Terminal.of(spec);
        Set<String> fired = new HashSet<>();
        int n = 0;
        for (BindingIndex.Match m : BindingIndex.of(registry.bindings(), Events.ON_SUBMISSION).select(in)) {
            Binding b = m.binding();
            if (catalog.provider(b.sinkClass()).isEmpty()) {
                continue;
            }
            fired.add(b.id());
            n++;
            out.printf("%5d  '%s' %s  %s%n", b.priority(), b.name(), b.id(),
                    m.clause().map(Rule.Clause::text).orElse("(no rule: always)"));
        }
        if (n == 0) {
            out.println("no binding fires for this message");
        }
        if (verbose) {
            for (Binding b : registry.bindings().stream().sorted(Binding.RUN_ORDER).toList()) {
                if (!fired.contains(b.id())) {
                    List<String> why = whyNot(b, in, catalog);
                    out.printf("  -    '%s' %s  not fired: %s%n", b.name(), b.id(), why.get(0));
                    why.stream().skip(1).forEach(clause -> out.println("         " + clause));
                }
            }
        }
        return 0;
    }

    /** The reason, then for a rule that does not match each of its clauses and why it failed. */
    private static List<String> whyNot(Binding b, RuleInput in, Catalog catalog) {
        if (!b.event().equals(Events.ON_SUBMISSION)) {
            return List.of("another event (" + b.event() + ")");
        }
        if (!b.enabled()) {
            return List.of(b.failure() != null ? "disabled by the server (" + b.failure().cause() + ")" : "disabled");
        }
        Rule rule;
        try {
            rule = Rule.parse(b.rule());
        } catch (RuleSyntaxException e) {
            return List.of("its rule does not parse " + e.getMessage());
        }
        if (rule.matches(in)) {
            return List.of("its rule matches, but no plugin in plugins/ provides " + b.sinkClass());
        }
        List<String> lines = new ArrayList<>();
        lines.add(rule.clauses().size() == 1 ? "its rule did not match" : "no clause of its rule matched (';' means OR)");
        lines.addAll(rule.whyNot(in));
        return lines;
    }
}
