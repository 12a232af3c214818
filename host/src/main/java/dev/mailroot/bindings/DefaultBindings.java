package dev.mailroot.bindings;

import dev.mailroot.sink.DefaultBinding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@link DefaultBinding} declarations of a sink class into bindings. */
public final class DefaultBindings {
    private DefaultBindings() {
    }

    /** A declaration that cannot be a binding, and why. */
    public static final class InvalidDeclaration extends Exception {
        InvalidDeclaration(String message) {
            super(message);
        }
    }

    /**
     * The default bindings declared on {@code sinkClass}.
     *
     * @throws InvalidDeclaration naming the class and what is wrong (bad id, rule, priority or property, an
     *                            event the class does not implement, an {@code onError} the event does not allow)
     */
    public static List<Binding> of(Class<?> sinkClass) throws InvalidDeclaration {
        List<Binding> out = new ArrayList<>();
        for (DefaultBinding d : sinkClass.getAnnotationsByType(DefaultBinding.class)) {
            String where = sinkClass.getName() + " @DefaultBinding '" + d.name() + "'";
            if (!Binding.isGuid(d.id())) {
                throw new InvalidDeclaration(where + ": id '" + d.id() + "' is not a GUID");
            }
            if (d.name().isBlank()) {
                throw new InvalidDeclaration(sinkClass.getName() + " @DefaultBinding " + d.id() + ": name is empty");
            }
            try {
                Rule.parse(d.rule());
            } catch (RuleSyntaxException e) {
                throw new InvalidDeclaration(where + ": rule '" + d.rule() + "' " + e.getMessage());
            }
            if (d.priority() < Binding.PRIORITY_HIGHEST || d.priority() > Binding.PRIORITY_LOWEST) {
                throw new InvalidDeclaration(where + ": priority " + d.priority() + " is outside 0..32767");
            }
            Map<String, String> props = new LinkedHashMap<>();
            for (String p : d.properties()) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new InvalidDeclaration(where + ": property '" + p + "' is not name=value");
                }
                props.put(p.substring(0, eq), p.substring(eq + 1));
            }
            String event = event(sinkClass, d, where);
            if (props.containsKey("onError")) {
                java.util.Optional<String> why = BindingStatus.onErrorProblem(event, props.get("onError"));
                if (why.isPresent()) {
                    throw new InvalidDeclaration(where + ": " + why.get());
                }
            }
            out.add(new Binding(Binding.canonicalId(d.id()), d.name(), event, sinkClass.getName(),
                    d.enabled(), d.rule().isBlank() ? null : d.rule(), d.priority(), props));
        }
        return out;
    }

    /** The declared event, or the one event the class implements. */
    private static String event(Class<?> sinkClass, DefaultBinding d, String where) throws InvalidDeclaration {
        List<String> implemented = Events.implementedBy(sinkClass);
        if (d.event().isBlank()) {
            if (implemented.size() != 1) {
                throw new InvalidDeclaration(where + ": the class implements " + (implemented.isEmpty() ? "no sink interface"
                        : "the sinks of " + implemented) + "; name the event (event = \"...\")");
            }
            return implemented.get(0);
        }
        String event = Events.canonical(d.event()).orElseThrow(() -> new InvalidDeclaration(where + ": unknown event '"
                + d.event() + "' (known: " + Events.known() + ")"));
        if (!implemented.contains(event)) {
            throw new InvalidDeclaration(where + ": event " + event + " but the class does not implement "
                    + Events.sinkInterface(event).getSimpleName());
        }
        return event;
    }
}
