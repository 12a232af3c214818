package dev.mailroot.sink;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a binding that Mailroot registers for this sink when it first sees the plugin: the
 * plugin's default binding. The event is {@link #event()}, or, when that is empty, the one event
 * whose sink interface the annotated class implements ({@link OnSubmissionSink}:
 * {@code OnSubmission}, {@code OnRcptToSink}: {@code OnRcptTo}, ...); the sink class is the
 * annotated class.
 *
 * <p>Mailroot registers each default binding once, by its id. If the administrator later removes
 * or changes it, it is not put back on restart or upgrade; only {@code registry reregister
 * <plugin-id>} restores it. A new id in a later version of the plugin is registered when that
 * version is first seen.
 *
 * <pre>{@code
 * @Extension
 * @DefaultBinding(id = "{66F4180A-627E-4073-8D31-51F628AA8366}", name = "POP3 Connector Event Sink",
 *                 rule = "RCPT TO=*mspop3connector.*", priority = 0)
 * public final class Pop3ConnectorSink implements OnSubmissionSink { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(DefaultBinding.List.class)
public @interface DefaultBinding {

    /** A fixed GUID in braces; administrators and scripts refer to the binding by it. */
    String id();

    /**
     * The event ({@code OnSubmission}, {@code OnConnect}, {@code OnHelo}, {@code OnMailFrom},
     * {@code OnRcptTo}, {@code OnEndOfData}); needed only when the class implements the sinks of
     * more than one event.
     */
    String event() default "";

    /** The display name. */
    String name();

    /** The IIS rule ({@code RCPT TO=*@example.com}); empty means always. */
    String rule() default "";

    /** 0 (runs first) .. 32767 (runs last); smtpreg's default is 24575. */
    int priority() default 24575;

    /** Whether the binding starts enabled. */
    boolean enabled() default true;

    /** Sink properties, each {@code "name=value"}. */
    String[] properties() default {};

    /** Holds several {@link DefaultBinding}s on one class. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        DefaultBinding[] value();
    }
}
