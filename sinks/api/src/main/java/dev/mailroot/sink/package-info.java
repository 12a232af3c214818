/**
 * The Mailroot sink SPI: the only package a plugin author compiles against.
 *
 * <p>A <em>sink</em> is code that runs when an <em>event</em> fires for a message. Today there is
 * one event, {@link dev.mailroot.sink.OnSubmissionSink OnSubmission}: it fires once per accepted
 * message, after the message is durable in the spool and before it is delivered, whether the
 * message arrived over SMTP or through the pickup directory. A <em>binding</em> (kept by the
 * server, edited with the {@code registry} tool) says which sink runs for which event, for which
 * messages (its rule) and in which order (its priority).
 *
 * <p>A sink sees the message as a {@link dev.mailroot.sink.Submission}: the mutable
 * {@link dev.mailroot.sink.Envelope}, the mutable {@link dev.mailroot.sink.Headers}, the body, and
 * a Jakarta Mail view on demand, its {@link dev.mailroot.sink.Notes}. It answers with a
 * {@link dev.mailroot.sink.SinkStatus} and may set the message's {@link dev.mailroot.sink.Fate}, a
 * recipient's {@link dev.mailroot.sink.RecipientFate}, replace the body, and send new mail.
 */
package dev.mailroot.sink;
