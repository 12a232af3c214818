package dev.mailroot.testkit;

import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingIndex;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.bindings.DefaultBindings;
import dev.mailroot.bindings.Events;
import dev.mailroot.bindings.RuleInput;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkStatus;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a chain of sinks over a {@link FakeSubmission} as the server's OnSubmission stage does, so
 * that a sink's tests need no server:
 *
 * <ul>
 *   <li>the enabled bindings whose IIS rule matches the envelope are selected once, before the first
 *       call, by the server's own rule code and run order (priority, lower first; then name, then id);</li>
 *   <li>each selected binding's sink is called with a {@link FakeSinkContext} of the binding's id,
 *       name and properties;</li>
 *   <li>the chain ends after the last binding, when a sink returns
 *       {@link SinkStatus#SKIP_REMAINING_SINKS}, when a sink sets a fate other than deliver, or when
 *       recipient fates leave no recipient;</li>
 *   <li>a sink that sets {@link Fate#defer} has its own call's changes undone (the fate stays);</li>
 *   <li>a sink that throws ({@code Error}s included) has its call's changes undone (envelope,
 *       headers, body, notes, recipient fates, fate) and the binding's {@code onError} decides:
 *       {@code continue} (the default), {@code badmail} or {@code defer}; after
 *       {@value #DISABLE_AFTER} consecutive failures over this runner's runs the binding is disabled,
 *       as the server disables it;</li>
 *   <li>a replacement stream left open when the call ends is discarded.</li>
 * </ul>
 *
 * <p>Unlike the server, calls run on the caller's thread without a time limit ({@code timeoutMs}
 * is not enforced), so a debugger can step through them. Not thread-safe.
 *
 * <pre>{@code
 * ChainResult r = ChainRunner.with(binding("Tag sales").rule("RCPT TO=sales@*"), new TagSink())
 *         .run(FakeSubmission.builder().from("a@x.org").to("sales@example.com").build());
 * assertThat(r.headers().first("X-Team")).contains("sales");
 * }</pre>
 */
public final class ChainRunner {
    /** Consecutive failures after which the server disables a binding. */
    public static final int DISABLE_AFTER = 5;

    private final List<Binding> bindings = new ArrayList<>();
    private final Map<String, OnSubmissionSink> sinks = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private int maxGenerations = FakeSubmission.DEFAULT_MAX_GENERATIONS;

    private ChainRunner() {
    }

    /** A runner with no binding yet. */
    public static ChainRunner create() {
        return new ChainRunner();
    }

    /** A runner with {@code binding} calling {@code sink}. */
    public static ChainRunner with(TestBinding binding, OnSubmissionSink sink) {
        return create().and(binding, sink);
    }

    /** A runner with {@code binding} calling {@code sink}. */
    public static ChainRunner with(Binding binding, OnSubmissionSink sink) {
        return create().and(binding, sink);
    }

    /** A runner with the {@code @DefaultBinding}s of each sink's class, as the server registers them. */
    public static ChainRunner withDefaultBindings(OnSubmissionSink... sinks) {
        ChainRunner runner = create();
        for (OnSubmissionSink sink : sinks) {
            runner.andDefaultBindings(sink);
        }
        return runner;
    }

    /** Adds {@code binding} calling {@code sink}. */
    public ChainRunner and(TestBinding binding, OnSubmissionSink sink) {
        return and(binding.toBinding(sink.getClass()), sink);
    }

    /**
     * Adds {@code binding} calling {@code sink}.
     *
     * @throws IllegalArgumentException if the binding names another sink class, is not an
     *                                  OnSubmission binding, or has the id of one already added
     */
    public ChainRunner and(Binding binding, OnSubmissionSink sink) {
        if (!binding.sinkClass().equals(sink.getClass().getName())) {
            throw new IllegalArgumentException("binding '" + binding.name() + "' names sink class " + binding.sinkClass()
                    + ", not " + sink.getClass().getName());
        }
        if (!Events.ON_SUBMISSION.equals(binding.event())) {
            throw new IllegalArgumentException("binding '" + binding.name() + "' is for event " + binding.event());
        }
        if (bindings.stream().anyMatch(b -> b.id().equals(binding.id()))) {
            throw new IllegalArgumentException("a binding with id " + binding.id() + " was added already");
        }
        bindings.add(binding);
        sinks.put(binding.id(), sink);
        return this;
    }

    /**
     * Adds the {@code @DefaultBinding}s of {@code sink}'s class, read by the server's own code.
     *
     * @throws IllegalArgumentException if a declaration is invalid (the server would skip it, {@code MR4007})
     */
    public ChainRunner andDefaultBindings(OnSubmissionSink sink) {
        try {
            for (Binding b : DefaultBindings.of(sink.getClass())) {
                and(b, sink);
            }
        } catch (DefaultBindings.InvalidDeclaration e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return this;
    }

    /** The longest chain of sink mail allowed (the server allows 5). */
    public ChainRunner maxGenerations(int value) {
        maxGenerations = value;
        return this;
    }

    /** The bindings as they stand now, disabled ones included (with their failure record). */
    public List<Binding> bindings() {
        return List.copyOf(bindings);
    }

    /** Runs the chain over {@code submission}, changing it as the sinks do. */
    public ChainResult run(FakeSubmission submission) {
        submission.setMaxGenerations(maxGenerations);
        List<LogLine> logs = new ArrayList<>();
        List<String> selected = new ArrayList<>();
        List<Call> trace = new ArrayList<>();
        List<Binding> chain = BindingIndex.of(bindings, Events.ON_SUBMISSION)
                .select(RuleInput.of(submission.envelope())).stream().map(BindingIndex.Match::binding).toList();
        chain.forEach(b -> selected.add(b.name()));
        for (Binding binding : chain) {
            Call call = call(binding, submission, logs);
            trace.add(call);
            if (submission.fate().stopsDelivery()) {
                return new ChainResult(submission, selected, trace, Optional.of(binding.name()), logs);
            }
            if (call.status() == SinkStatus.SKIP_REMAINING_SINKS
                    || submission.envelope().recipients().isEmpty() && !submission.recipientFates().isEmpty()) {
                break;
            }
        }
        return new ChainResult(submission, selected, trace, Optional.empty(), logs);
    }

    /**
     * Runs the chain over {@code submission}, then over every message the sinks sent, and every
     * message those sent, in order, as the server would admit them: a sink that mails itself in a
     * loop meets the loop guard. The first result is {@code submission}'s.
     */
    public List<ChainResult> runAll(FakeSubmission submission) {
        List<ChainResult> results = new ArrayList<>();
        Deque<FakeSubmission> queue = new ArrayDeque<>(List.of(submission));
        while (!queue.isEmpty()) {
            ChainResult r = run(queue.removeFirst());
            results.add(r);
            r.sent().forEach(m -> queue.addLast(m.asSubmission()));
        }
        return results;
    }

    private Call call(Binding binding, FakeSubmission submission, List<LogLine> logs) {
        FakeSubmission.Checkpoint checkpoint = submission.checkpoint();
        FakeSinkContext context = new FakeSinkContext(binding.id(), binding.name(), binding.sinkProperties(),
                binding.sinkClass(), logs);
        SinkStatus status;
        try {
            status = sinks.get(binding.id()).onSubmission(submission, context);
        } catch (Exception | Error e) {
            submission.endCall();
            submission.restore(checkpoint);
            failed(binding, e);
            String text = "binding '" + binding.name() + "' " + binding.id() + " (" + binding.sinkClass() + ") threw "
                    + ControlCharacters.escape(String.valueOf(e));
            switch (onError(binding)) {
                case "badmail" -> submission.setFate(Fate.badmail(text + " (onError=badmail)"));
                case "defer" -> submission.setFate(Fate.defer(text + " (onError=defer)", null));
                default -> { }
            }
            return new Call(binding, Call.Outcome.FAILED, SinkStatus.RUN_NEXT_SINK, submission.fate(), Optional.of(e));
        }
        submission.endCall();
        failures.remove(binding.id());
        status = status == null ? SinkStatus.RUN_NEXT_SINK : status;
        Fate fate = submission.fate();
        if (fate.kind() == Fate.Kind.DEFER) {
            submission.restore(checkpoint);
            submission.setFate(fate);
            return new Call(binding, Call.Outcome.DEFERRED, status, fate, Optional.empty());
        }
        return new Call(binding, Call.Outcome.RETURNED, status, fate, Optional.empty());
    }

    /** Counts a failure; the {@value #DISABLE_AFTER}th in a row disables the binding, as the server does. */
    private void failed(Binding binding, Throwable cause) {
        int n = failures.merge(binding.id(), 1, Integer::sum);
        if (n >= DISABLE_AFTER) {
            Binding disabled = binding.withFailure(new Binding.Failure(Instant.now(), n,
                    ControlCharacters.escape(String.valueOf(cause))));
            bindings.replaceAll(b -> b.id().equals(binding.id()) ? disabled : b);
            failures.remove(binding.id());
        }
    }

    private static String onError(Binding binding) {
        if (BindingStatus.badmailOnError(binding)) {
            return "badmail";
        }
        String v = binding.sinkProperties().get("onError");
        return v == null ? "continue" : v.strip().toLowerCase(Locale.ROOT);
    }
}
