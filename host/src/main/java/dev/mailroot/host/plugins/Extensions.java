package dev.mailroot.host.plugins;

import org.pf4j.ExtensionFactory;

import java.lang.reflect.Modifier;
import java.util.Optional;

/**
 * The rule for a plugin's extension classes (its sinks and services): a concrete class with a
 * public no-argument constructor. {@code registry} checks it on classes loaded without being
 * initialised; the server checks it, then makes the instance with {@link #create}, so both report
 * a bad class in the same words.
 */
public final class Extensions {
    private Extensions() {
    }

    /**
     * Why {@code cls} cannot be made, or empty if it can (as far as its declaration says).
     *
     * @param kind what it is, for the message ({@code sink}, {@code service})
     */
    public static Optional<String> problem(Class<?> cls, String kind) {
        if (Modifier.isAbstract(cls.getModifiers())) {
            return Optional.of(kind + " " + cls.getName() + " is abstract");
        }
        try {
            if (Modifier.isPublic(cls.getConstructor().getModifiers())) {
                return Optional.empty();
            }
        } catch (NoSuchMethodException e) {
            // reported below
        }
        return Optional.of(kind + " " + cls.getName() + " has no public no-argument constructor");
    }

    /**
     * Makes one instance of {@code cls} with the plugin's extension factory. The caller runs this
     * under the plugin's class loader.
     *
     * @throws IllegalStateException if the class breaks the rule, or its constructor throws (the
     *                               message says which; the constructor's exception is the cause)
     */
    public static <T> T create(ExtensionFactory factory, Class<T> cls, String kind) {
        Optional<String> problem = problem(cls, kind);
        if (problem.isPresent()) {
            throw new IllegalStateException(problem.get());
        }
        Object made;
        try {
            made = factory.create(cls);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot create an instance of " + kind + " " + cls.getName()
                    + ": its constructor threw " + e, e);
        }
        if (made == null) { // PF4J's factory logs and returns null when the constructor throws
            throw new IllegalStateException("cannot create an instance of " + kind + " " + cls.getName()
                    + ": its constructor threw (see the log)");
        }
        return cls.cast(made);
    }
}
