package dev.mailroot.registry;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingIndex;
import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.Rule;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.bindings.RuleSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "test", aliases = "/test", mixinStandardHelpOptions = true, description = "Prints, for a test message, the "
        + "bindings that would fire at each event in the order the events fire (OnConnect, OnHelo, OnMailFrom, OnRcptTo once "
        + "per recipient, OnEndOfData, OnSubmission, OnRemoteDelivery once per recipient domain), one section per event that has "
        + "enabled bindings: each binding that "
        + "fires with its priority, name, id, the clause that matched, its onError and its time limit, assuming every sink "
        + "lets the message go on. --verbose also lists the others and why not: disabled, sink class missing, or each "
        + "clause of a rule that did not match and what it was tested against.",
        footer = {"", "Examples:",
                "  registry test --mail-from alice@example.com --rcpt mspop3connector.carol@localhost --ehlo mx.example.com",
                "  registry test --source pickup --from boss@example.com --to sales@localhost --to orders@localhost --verbose"})
final class TestCommand implements Callable<Integer> {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    @Mixin
    HomeOption home;
    @Option(names = {"--mail-from", "--from"}, required = true, paramLabel = "A", description = "The envelope sender (\"\" for the null sender).")
    String mailFrom;
    @Option(names = {"--rcpt", "--to"}, required = true, paramLabel = "B", description = "A recipient (repeatable).")
    List<String> rcpts;
    @Option(names = {"--ehlo", "--helo"}, paramLabel = "H", description = "The HELO/EHLO name (SMTP only).")
    String ehlo;
    @Option(names = "--auth-user", paramLabel = "U", description = "The user the client authenticates as (SMTP only): "
            + "OnAuth fires only for a client that authenticates.")
    String authUser;
    @Option(names = "--source", paramLabel = "NAME", description = "How the message arrives: smtp (the default), pickup, "
            + "sink, or a connector's plugin id (pop3-connector); only SMTP mail has a HELO name.")
    String source = "smtp";
    @Option(names = "--client", paramLabel = "IP", description = "The client's IP address, for the OnConnect line (no rule tests it).")
    String client;
    @Option(names = "--verbose", description = "Also list the bindings that would not fire, and why.")
    boolean verbose;
    @Spec
    CommandSpec spec;

    /**
     * One event as the test message meets it: what its rules are evaluated with.
     *
     * @param event the canonical event
     * @param title what happens, for the section's heading
     * @param in    what is known at that point
     */
    private record Step(String event, String title, RuleInput in) {
    }

    @Override
    public Integer call() {
        Catalog catalog = new Catalog(home.jars());
        String src = source(catalog);
        checkClient();
        BindingRegistry registry = home.read();
        Terminal out = Terminal.of(spec);
        List<Step> steps = steps(src);
        Set<String> shown = new HashSet<>();
        for (Binding b : registry.bindings()) {
            if (b.enabled() || verbose) {
                shown.add(b.event());
            }
        }
        if (shown.isEmpty()) {
            out.println("no binding fires for this message");
            return 0;
        }
        if (!src.equals("smtp") && Events.PROTOCOL.stream().anyMatch(shown::contains)) {
            out.println("source " + src + ": OnConnect, OnMailFrom, OnRcptTo and OnEndOfData run in the queue before the "
                    + "OnSubmission sinks, on a session built from its envelope (no HELO: OnHelo does not fire"
                    + (ehlo == null ? "" : ", --ehlo is not used") + (authUser == null ? "" : ", no AUTH: OnAuth does not fire, --auth-user is not used") + ")");
        }
        for (Step step : steps) {
            if (shown.contains(step.event())) {
                section(out, step, registry, catalog);
            }
        }
        return 0;
    }

    /** The events in the order they fire, OnRcptTo once per recipient, each with what its rules see. */
    private List<Step> steps(String src) {
        boolean smtp = src.equals("smtp");
        String helo = smtp && ehlo != null ? ehlo : "";
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(Events.ON_CONNECT, "source " + src + (client == null ? "" : ", client " + client)
                + "; only the source is known", new RuleInput("", null, List.of(), src)));
        if (smtp) { // mail without an SMTP session has no HELO: the server does not fire OnHelo for it
            steps.add(new Step(Events.ON_HELO, "HELO/EHLO " + (helo.isEmpty() ? "(no name given)" : helo),
                    new RuleInput(helo, null, List.of(), src)));
            if (authUser != null) { // OnAuth fires only when the client authenticates
                steps.add(new Step(Events.ON_AUTH, "AUTH as " + authUser, new RuleInput(helo, null, List.of(), src)));
            }
        }
        steps.add(new Step(Events.ON_MAIL_FROM, "MAIL FROM:<" + mailFrom + ">", new RuleInput(helo, mailFrom, List.of(), src)));
        for (String r : rcpts) {
            steps.add(new Step(Events.ON_RCPT_TO, "RCPT TO:<" + r + ">", new RuleInput(helo, mailFrom, List.of(r), src)));
        }
        String all = rcpts.size() + " recipient" + (rcpts.size() == 1 ? "" : "s");
        steps.add(new Step(Events.ON_END_OF_DATA, "the message, " + all, new RuleInput(helo, mailFrom, rcpts, src)));
        steps.add(new Step(Events.ON_SUBMISSION, "after it is spooled, " + all, new RuleInput(helo, mailFrom, rcpts, src)));
        // per destination domain: the outbound queue's attempts (for the domains that are not local)
        java.util.Map<String, List<String>> byDomain = new java.util.LinkedHashMap<>();
        for (String r : rcpts) {
            int at = r.lastIndexOf('@');
            byDomain.computeIfAbsent(at < 0 ? "" : r.substring(at + 1).toLowerCase(java.util.Locale.ROOT), d -> new ArrayList<>()).add(r);
        }
        byDomain.forEach((domain, those) -> {
            if (!domain.isEmpty()) {
                steps.add(new Step(Events.ON_REMOTE_DELIVERY, "each attempt to " + domain + ", if it is not a local domain: "
                        + String.join(", ", those), new RuleInput(helo, mailFrom, those, src)));
            }
        });
        return steps;
    }

    /** One event: its heading, the bindings that fire in run order, and with --verbose the others and why not. */
    private void section(Terminal out, Step step, BindingRegistry registry, Catalog catalog) {
        out.println("== " + step.event() + " (" + step.title() + ") ==");
        Set<String> fired = new HashSet<>();
        for (BindingIndex.Match m : BindingIndex.of(registry.bindings(), step.event()).select(step.in())) {
            Binding b = m.binding();
            if (!catalog.provides(b.sinkClass(), b.event())) {
                if (!verbose && BindingStatus.onMissing(b) == BindingStatus.OnMissing.TEMPFAIL) {
                    out.printf("  !    '%s' %s  not called: %s%n", b.name(), b.id(), missing(b, catalog));
                }
                continue;
            }
            fired.add(b.id());
            out.printf("%5d  '%s' %s  %s  (onError: %s, timeoutMs: %d)%n", b.priority(), b.name(), b.id(),
                    m.clause().map(Rule.Clause::text).orElse("(no rule: always)"), BindingStatus.onError(b),
                    BindingStatus.timeoutMs(b));
        }
        if (fired.isEmpty()) {
            out.println("  none fires");
        }
        if (verbose) {
            registry.bindings().stream().filter(b -> b.event().equals(step.event()) && !fired.contains(b.id()))
                    .sorted(Binding.RUN_ORDER).forEach(b -> {
                        List<String> why = whyNot(b, step.in(), catalog);
                        out.printf("  -    '%s' %s  not fired: %s%n", b.name(), b.id(), why.get(0));
                        why.stream().skip(1).forEach(clause -> out.println("         " + clause));
                    });
        }
    }

    /** The reason, then for a rule that does not match each of its clauses and why it failed. */
    private static List<String> whyNot(Binding b, RuleInput in, Catalog catalog) {
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
            return List.of("its rule matches, but " + missing(b, catalog));
        }
        List<String> lines = new ArrayList<>();
        lines.add(rule.clauses().size() == 1 ? "its rule did not match" : "no clause of its rule matched (';' means OR)");
        lines.addAll(rule.whyNot(in));
        return lines;
    }

    /** Why a binding whose rule matches is not called, and what that means for the message. */
    private static String missing(Binding b, Catalog catalog) {
        String why = catalog.wrongEvent(b.sinkClass(), b.event())
                .orElse("no plugin in plugins/ provides " + b.sinkClass());
        return why + "; " + BindingStatus.whenMissing(b);
    }

    /** {@code --source} in lower case: smtp, pickup, sink, or the id of a plugin in the plugin folders (a connector). */
    private String source(Catalog catalog) {
        String src = source.strip().toLowerCase(Locale.ROOT);
        List<String> plugins = catalog.jars().stream().filter(PluginJar::loads).map(PluginJar::pluginId).distinct().toList();
        if (List.of("smtp", "pickup", "sink").contains(src) || plugins.contains(src)) {
            return src;
        }
        throw new RegistryException("--source must be smtp, pickup, sink or a connector's plugin id"
                + (plugins.isEmpty() ? "" : " (plugins: " + String.join(", ", plugins) + ")") + ", not '" + source + "'");
    }

    /** Refuses a {@code --client} that is not an IP address literal (no name is looked up). */
    private void checkClient() {
        if (client == null || IPV4.matcher(client).matches()) {
            return;
        }
        try {
            if (client.contains(":") && client.matches("\\[?[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?]?")) {
                InetAddress.getByName(client); // a literal with ':' is parsed as IPv6, never looked up
                return;
            }
        } catch (UnknownHostException e) {
            // refused below
        }
        throw new RegistryException("--client must be an IPv4 or IPv6 address, not '" + client + "'");
    }
}
